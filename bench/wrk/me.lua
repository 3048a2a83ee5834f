-- GET /api/v1/auth/me with one valid access token (ACCESS_TOKEN env).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCESS_TOKEN")
