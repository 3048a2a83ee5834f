-- POST an application/x-www-form-urlencoded body (FORM_BODY env) with an Authorization header
-- (AUTHORIZATION env): the OAuth token and introspection endpoints under load.
wrk.method = "POST"
wrk.body = os.getenv("FORM_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("AUTHORIZATION")
