-- POST /api/v1/auth/token/refresh, following each rotation: every connection owns one session
-- and sends the refresh token it got back last (refresh tokens are single-use). Run with
-- connections == threads, so each thread's requests are strictly sequential.
-- REFRESH_TOKENS_FILE holds one refresh token per line, one per thread.
local tokens = {}
for line in io.lines(os.getenv("REFRESH_TOKENS_FILE")) do tokens[#tokens + 1] = line end
local next_id = 1

function setup(thread)
  thread:set("token", tokens[next_id])
  next_id = next_id + 1
end

function request()
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
    string.format('{"refresh_token": "%s"}', token))
end

function response(status, headers, body)
  if status == 200 then
    token = body:match('"refresh_token":"([^"]+)"')
  end
end
