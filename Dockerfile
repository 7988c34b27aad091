# campaignctl in a container: `watch` for Kubernetes (examples/kubernetes/), or any command.
#   docker build -t campaignctl:0.1.0 .
#   docker run --rm -v "$PWD:/work" -w /work campaignctl:0.1.0 validate
# Building needs a Docker daemon and the network (the base images and crates.io).

# The builder compiles exactly the versions of Cargo.lock (--locked), as the tests did, with
# the `dist` profile (release with whole-program LTO: Cargo.toml says what it gains).
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --locked --profile dist --bin campaignctl \
    && install -D -m 0755 target/dist/campaignctl /out/campaignctl

# Small, no shell or package manager: glibc and the CA certificates the HTTPS client
# verifies the platform's certificate with. `nonroot` is user and group 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /out/campaignctl /usr/local/bin/campaignctl
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/campaignctl"]
CMD ["--help"]
