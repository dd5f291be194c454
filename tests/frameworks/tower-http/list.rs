let cors = CorsLayer::new()
    .allow_origin(["https://app.example".parse::<HeaderValue>().unwrap()])
    .allow_methods([Method::GET, Method::PUT])
    .allow_headers([header::CONTENT_TYPE])
    .allow_credentials(true)
    .max_age(Duration::from_secs(600));
