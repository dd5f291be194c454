let cors = CorsLayer::new()
    .allow_origin(AllowOrigin::mirror_request())
    .allow_methods(AllowMethods::mirror_request())
    .allow_headers(AllowHeaders::mirror_request())
    .expose_headers(Any)
    .vary([header::ORIGIN]);
