from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://app\.example|https://.*\.trusted\.example",
    allow_methods=["*"],
    allow_headers=["*"],
    max_age=60,
)
