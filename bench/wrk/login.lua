-- POST /api/v1/auth/login for one user (LOGIN_EMAIL / LOGIN_PASSWORD env).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email": "%s", "password": "%s"}', os.getenv("LOGIN_EMAIL"), os.getenv("LOGIN_PASSWORD"))
