from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example"],
    allow_methods=["GET", "PUT"],
    allow_headers=["Content-Type"],
    allow_credentials=True,
    expose_headers=["X-Total"],
)
