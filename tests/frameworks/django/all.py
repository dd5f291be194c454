from corsheaders.defaults import default_headers

CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET"]
CORS_ALLOW_HEADERS = (*default_headers, "x-custom")
CORS_PREFLIGHT_MAX_AGE = 600
