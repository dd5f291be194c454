from datetime import timedelta

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, send_wildcard=True, vary_header=False, max_age=timedelta(minutes=10), methods="PUT")
