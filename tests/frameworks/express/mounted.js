const express = require("express");
const cors = require("cors");

const app = express();
// Only under /ok; the preflight goes on to the router, answered 200.
app.use("/ok", cors({
  origin: true,
  preflightContinue: true,
  optionsSuccessStatus: 200,
  methods: "GET,PUT",
}));
