from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(
    app,
    origins=["https://app.example", "https://other.example"],
    supports_credentials=True,
    methods=["GET", "POST"],
    max_age=600,
    expose_headers=["X-Total"],
)
