from corsheaders.defaults import default_headers

CORS_ALLOWED_ORIGINS = ["null", "https://app.example:443"]
CORS_ALLOW_HEADERS = list(default_headers) + ["x-custom"]
CORS_PREFLIGHT_MAX_AGE = 0
