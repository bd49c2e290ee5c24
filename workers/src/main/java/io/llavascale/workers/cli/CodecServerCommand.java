package io.llavascale.workers.cli;

import io.llavascale.infra.codec.AesGcmPayloadCodec;
import io.llavascale.infra.codec.CodecServer;
import io.llavascale.infra.codec.PayloadKeys;
import io.llavascale.infra.config.StackConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Serves /encode and /decode so the Temporal UI can show encrypted payloads to key holders. */
@Command(name = "codec-server",
    description = {
      "Serve the payload codec over HTTP (POST /encode, /decode) for the Temporal UI and CLI.",
      "Keys come from " + PayloadKeys.ENV_KEY + " or " + PayloadKeys.ENV_KEY_FILE + ", as for workers."})
final class CodecServerCommand implements Runnable {
  @Option(names = "--port", defaultValue = "8081", description = "Port. Default: ${DEFAULT-VALUE}")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1",
      description = "Address to listen on (0.0.0.0 in a container). Default: ${DEFAULT-VALUE}")
  String bind;

  @Option(names = "--origin", paramLabel = "URL",
      description = "Origin of the Temporal UI allowed by CORS (repeatable; '*' for any). Default: http://localhost:8080")
  List<String> origins = new ArrayList<>();

  @Option(names = "--auth-token-file", paramLabel = "FILE",
      description = "Require 'Authorization: Bearer <token>' with the token in this file (or in $" + CodecServer.ENV_TOKEN + ").")
  Path tokenFile;

  @Override
  public void run() {
    PayloadKeys keys = StackConfig.fromEnv().payloadKeys();
    if (keys == null) {
      throw new CliException("no payload key: set " + PayloadKeys.ENV_KEY + " (base64) or " + PayloadKeys.ENV_KEY_FILE);
    }
    String token = token();
    List<String> allowed = origins.isEmpty() ? List.of("http://localhost:8080") : origins;
    try {
      CodecServer server = CodecServer.start(new AesGcmPayloadCodec(keys),
          new CodecServer.Options(bind, port, allowed, token));
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "llava-codec-server-stop"));
      System.out.println("codec server on http://" + bind + ":" + server.port() + " for " + allowed + ", keys "
          + keys.ids() + (token == null ? "" : ", bearer token required") + " (Ctrl-C stops it)");
      stopped.await();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + bind + ":" + port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String token() {
    try {
      String t = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv(CodecServer.ENV_TOKEN);
      if (tokenFile != null && t.isEmpty()) {
        throw new CliException("--auth-token-file " + tokenFile + " is empty");
      }
      return t == null || t.isBlank() ? null : t.strip();
    } catch (IOException e) {
      throw new CliException("cannot read --auth-token-file " + tokenFile + ": " + e.getMessage());
    }
  }
}
