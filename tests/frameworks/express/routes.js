// Appended by tests/frameworks.rs: the routes every configuration serves.
app.get("/ok", (req, res) => res.send("ok"));
app.get("/error", () => {
  throw new Error("boom");
});
app.listen(Number(process.env.PORT), "127.0.0.1");
