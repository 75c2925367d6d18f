# The alma-sandbox image: one static binary (the default scenarios are
# embedded in it) on an empty base, run as a non-root user.
#
# Nothing is pulled and nothing is compiled in here: `make docker-build`
# builds bin/alma-sandbox on the host (CGO_ENABLED=0, so it cannot link the
# Pact library) and bin/rootfs/ (a minimal /etc/passwd and /etc/group for
# the user 65532 and an empty /scenarios), then runs `docker build`.
FROM scratch

ARG VERSION=dev
LABEL org.opencontainers.image.title="alma-sandbox" \
      org.opencontainers.image.description="An offline sandbox for integrating Alma: a fake Alma API that replays scenario files" \
      org.opencontainers.image.source="https://github.com/alma-sandbox/alma-sandbox" \
      org.opencontainers.image.version="${VERSION}"

COPY bin/rootfs/ /
COPY bin/alma-sandbox /alma-sandbox

# The container listens on all its interfaces (docker-compose.yml publishes
# the port on the host's loopback only) and payment links point at the
# host's loopback. Scenario files mounted in /scenarios are added to the
# embedded ones; a file with a default scenario's id replaces it. Every
# `serve` flag has an ALMA_SANDBOX_* variable (`alma-sandbox serve -h`).
# The admin API is open, as on a developer's machine: inside a container
# every interface is the container's own, so publish the port on the
# host's loopback (-p 127.0.0.1:4242:4242), or set ALMA_SANDBOX_ADMIN_TOKEN
# (and ALMA_SANDBOX_INSECURE_ADMIN=false) where others can reach it.
ENV ALMA_SANDBOX_ADDR=0.0.0.0:4242 \
    ALMA_SANDBOX_PUBLIC_URL=http://127.0.0.1:4242 \
    ALMA_SANDBOX_SCENARIOS=/scenarios \
    ALMA_SANDBOX_INSECURE_ADMIN=true
EXPOSE 4242
VOLUME ["/scenarios"]

USER 65532:65532

# No curl in a scratch image: the binary checks GET /healthz itself, on the
# address ALMA_SANDBOX_ADDR names (a wildcard address is checked on loopback).
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/alma-sandbox", "health"]

ENTRYPOINT ["/alma-sandbox"]
CMD ["serve"]
