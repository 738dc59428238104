-- wrk script: POST /predict with the original clients' body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low"]}'

-- Fail loudly if anything but 200 comes back.
local non200 = 0
response = function(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
