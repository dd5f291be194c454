const express = require("express");
const cors = require("cors");

const app = express();
// A fixed string origin is sent to every caller.
const corsOptions = {
  origin: "https://app.example",
  methods: ["GET", "PUT"],
  allowedHeaders: ["Content-Type"],
  maxAge: 600,
};
app.use(cors(corsOptions));
