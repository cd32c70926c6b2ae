# The PoQ chain application image: the `poq` CLI, the validator application process, the REST
# server and the inference node, built from this repository. CometBFT itself runs from the official
# image (see docker-compose.yml); its binary is also copied in here because `poq testnet init` uses
# `cometbft testnet` to write the node homes.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Native modules (better-sqlite3) fall back to a source build when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# onnxruntime-node's install script skips its CUDA download (the evaluator runs on CPU).
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci
COPY . .
RUN npm run build && node scripts/ensure-model.mjs && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=cometbft/cometbft:v0.38.26 /usr/bin/cometbft /usr/local/bin/cometbft
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/models ./models
ENV NODE_ENV=production POQ_COMETBFT=/usr/local/bin/cometbft
# 26658: a validator application's ABCI socket; 1317: REST; 8080: the stand-in backend.
EXPOSE 26658 1317 8080
ENTRYPOINT ["node", "/app/bin/poq"]
CMD ["--help"]
