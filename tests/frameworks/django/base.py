# Prepended by tests/frameworks.rs: what any Django project has.
SECRET_KEY = "cors-lab-harness"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
