# tickflow — every target installs what it needs itself.
.PHONY: setup build test lint format bench bench-soak bench-actors bench-gateway bench-engine demo up down status clean

NODE_MODULES := node_modules/.package-lock.json

$(NODE_MODULES): package-lock.json
	npm ci --no-audit --no-fund

setup: $(NODE_MODULES)

build: setup
	npx tsc -p tsconfig.json

test: build
	npx tap
	node scripts/check-coverage.mjs

lint: setup
	npx biome check .
	npx tsc -p tsconfig.json --noEmit

format: setup
	npx biome check --write .

# The load-test harness: a stepped ramp of simulated trades through the engine and the gateway to
# WebSocket clients on its own NATS and QuestDB, the saturation point, and baselines measured in
# the same run (raw JetStream ceiling, ws fan-out, tardis-dev bars). A few minutes.
bench: build
	node build/bench/harness/run.js --baselines

# The same ramp, then 30 minutes at 70% of the saturation rate: do latency, RSS and backlog stay flat?
bench-soak: build
	node build/bench/harness/run.js --soak 30m

# Actor compute vs tardis-dev computeTradeBars, and bytes per warm symbol.
bench-actors: build
	node --expose-gc build/bench/actors/run.js

# Gateway fan-out against the same protocol served by the ws library (100 and 1,000 clients).
bench-gateway: build
	node build/bench/gateway/run.js

# Engine throughput against the raw JetStream ceiling, publish-to-candle latency, peak RSS.
bench-engine: build
	node build/bench/engine/run.js

demo: build
	node build/cli/tickflow.js demo

# The local stack: NATS with JetStream and QuestDB on the project's own ports
# (NATS 14222, QuestDB HTTP 19000), data under .stack/. Installs what is missing.
up: build
	node build/engine/stack/cli.js up

down: build
	node build/engine/stack/cli.js down

status: build
	node build/engine/stack/cli.js status

clean:
	rm -rf build .tap coverage
