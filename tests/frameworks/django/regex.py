CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\w+\.example$"]
# Only /ok gets CORS headers.
CORS_URLS_REGEX = r"^/ok"
