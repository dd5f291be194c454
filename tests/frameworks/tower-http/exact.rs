let cors = CorsLayer::new()
    .allow_origin(HeaderValue::from_static("https://app.example"))
    .expose_headers([HeaderName::from_static("x-total")]);
