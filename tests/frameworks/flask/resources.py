from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, resources={r"/ok": {"origins": "https://app.example"}}, allow_headers=["Content-Type"])
