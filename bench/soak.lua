-- wrk script for bench/soak.py: counts what no client should ever get.
-- A page is consistent when it is wholly from the fixtures (total 150, no "NEW " names)
-- or wholly from the replacement set (total NEW_TOTAL, every name "NEW ...").
local new_total = tonumber(os.getenv("SOAK_NEW_TOTAL"))
local old_total = tonumber(os.getenv("SOAK_OLD_TOTAL"))
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mixed = 0
  undocumented = 0
  pages = 0
end

function response(status, headers, body)
  if status ~= 200 then
    if status ~= 400 and status ~= 401 and status ~= 500 then
      undocumented = undocumented + 1
    end
    return
  end
  pages = pages + 1
  local names = select(2, body:gsub('"name":"', ''))
  local new_names = select(2, body:gsub('"name":"NEW ', ''))
  local total = tonumber(body:match('"total":(%d+)'))
  local all_old = total == old_total and new_names == 0
  local all_new = total == new_total and new_names == names
  if not (all_old or all_new) then
    mixed = mixed + 1
  end
end

function done(summary, latency, requests)
  local m, u, p = 0, 0, 0
  for _, thread in ipairs(threads) do
    m = m + thread:get("mixed")
    u = u + thread:get("undocumented")
    p = p + thread:get("pages")
  end
  io.write(string.format("SOAK pages=%d mixed=%d undocumented=%d\n", p, m, u))
end
