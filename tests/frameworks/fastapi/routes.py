

# Appended by tests/frameworks.rs: the routes every configuration serves.
@app.get("/ok")
def ok():
    return {"ok": True}


@app.get("/error")
def error():
    raise RuntimeError("boom")
