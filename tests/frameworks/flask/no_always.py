from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=[r"https://.*\.example"], always_send=False, allow_headers=["X-Other"])
