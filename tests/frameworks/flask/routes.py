

# Appended by tests/frameworks.rs: the routes every configuration serves.
@app.route("/ok")
def ok():
    return "ok"


@app.route("/error")
def error():
    raise RuntimeError("boom")


if __name__ == "__main__":
    import os

    app.run(host="127.0.0.1", port=int(os.environ["PORT"]))
