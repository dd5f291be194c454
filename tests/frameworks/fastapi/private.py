from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=("https://app.example",),
    allow_methods=("PUT",),
    allow_headers=("content-type", "X-Other"),
    allow_private_network=True,
)
