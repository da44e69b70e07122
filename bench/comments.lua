-- bench/comments.lua: wrk posts comments to one article as fast as the
-- server accepts them. The form's tokens come from the environment
-- (bench/run fetched them once, with the CSRF cookie); every body is unique
-- (thread and counter), so duplicate detection never merges two posts.
local n = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  path = os.getenv("GZ_PATH")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = os.getenv("GZ_COOKIE")
  fixed = "csrf=" .. os.getenv("GZ_CSRF") .. "&token=" .. os.getenv("GZ_TOKEN") ..
    "&name=Bench+reader&email=bench%40example.org&body="
end

function request()
  n = n + 1
  return wrk.format(nil, path, nil, fixed .. "Bench+comment+" .. tid .. "-" .. n)
end
