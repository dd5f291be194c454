from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
# "*" with credentials: every origin is reflected; methods default to GET.
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
