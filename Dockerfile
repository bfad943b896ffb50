# sms-gateway-emulator: both fake SMS gateways and the control API on port 8080.
#   docker build -t sms-gateway-emulator .
#   docker run --rm -p 8080:8080 sms-gateway-emulator
# Configure with SMS_EMULATOR_* variables (see README.md), e.g. -e SMS_EMULATOR_CLOCK=manual.
# The health check reads the URL serve writes to SMS_EMULATOR_URL_FILE, so it follows any
# serve options (--tls, --port) the container is started with.
# State that survives restarts: -v sms-data:/data -e SMS_EMULATOR_DATA=/data/emulator.db

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY schemas ./schemas
COPY fixtures ./fixtures
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SMS_EMULATOR_HOST=0.0.0.0 \
    SMS_EMULATOR_PORT=8080 \
    SMS_EMULATOR_ALLOWED_HOSTS=sms,sms-emulator \
    SMS_EMULATOR_URL_FILE=/tmp/sms-emulator.url
RUN useradd --create-home --uid 10001 emulator && install -d -o 10001 -m 0700 /data
COPY --from=build /dist /dist
RUN pip install --no-cache-dir /dist/*.whl && rm -rf /dist
USER 10001
WORKDIR /home/emulator
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["sms-emulator", "healthcheck"]
ENTRYPOINT ["sms-emulator"]
CMD ["serve"]
