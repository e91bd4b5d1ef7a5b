# The Connect API emulator (crate ccloud-connect-emulator) as a container image, for CI
# jobs and programs in any language; the image needs no Rust toolchain to run:
#
#   docker build -t ccloud-connect-emulator .
#   docker run --rm -p 8080:8080 ccloud-connect-emulator
#
# Arguments after the image name go to the binary (--seed, --api-key, --rate-limit, ...;
# `docker run --rm ccloud-connect-emulator --help` lists them). emulator/tests/it/docker.rs
# checks this file against the binary: its name, the port, the flags, the health check.

# Build: the release binary only (the client's build script reads openapi/ at compile time).
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p ccloud-connect-emulator --bin ccloud-connect-emulator

# Run: glibc and libgcc only, no shell, no package manager, a non-root user (65532).
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/ccloud-connect-emulator /usr/local/bin/ccloud-connect-emulator
USER nonroot:nonroot
EXPOSE 8080
# The binary probes itself (plain HTTP GET, exit 0 on 200): the image needs no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/ccloud-connect-emulator", "--healthcheck", "http://127.0.0.1:8080/_emulator/health"]
# 0.0.0.0: reachable through the published port. Links and presigned upload URLs name
# http://127.0.0.1:8080, so publish the port under the same number (-p 8080:8080).
ENTRYPOINT ["/usr/local/bin/ccloud-connect-emulator", "--host", "0.0.0.0", "--port", "8080"]
