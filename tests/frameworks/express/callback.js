const express = require("express");
const cors = require("cors");

const app = express();
// The allowlist callback from the cors README.
const allowlist = ["https://app.example", "https://other.example"];
app.use(cors({
  origin: function (origin, callback) {
    if (allowlist.indexOf(origin) !== -1) {
      callback(null, true);
    } else {
      callback(new Error("Not allowed by CORS"));
    }
  },
}));
