let cors = CorsLayer::permissive();
