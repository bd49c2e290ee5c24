package io.llavascale.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llavascale.infra.config.S3Clients;
import io.llavascale.infra.s3.EmbeddedS3;
import io.llavascale.infra.s3.S3Credentials;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class EmbeddedS3Test {
  @TempDir Path root;

  @Test
  void roundTripCredentialsFileIs600AndReused() throws Exception {
    S3Credentials first;
    int port;
    try (EmbeddedS3 s3 = EmbeddedS3.start(root, 0, "llava-runs");
        S3Client client = S3Clients.create(s3)) {
      port = s3.port();
      assertTrue(port > 0);
      assertEquals("http://127.0.0.1:" + port, s3.endpoint().toString());
      first = s3.credentials();
      assertFalse(first.toString().contains(first.secretAccessKey()));
      client.putObject(
          b -> b.bucket("llava-runs").key("a/b.txt"),
          RequestBody.fromString("hello", StandardCharsets.UTF_8));
      assertEquals(
          "hello",
          client.getObjectAsBytes(b -> b.bucket("llava-runs").key("a/b.txt")).asUtf8String());
      assertLoopbackOnly(port);
    }
    Path credFile = EmbeddedS3.credentialsFile(root);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credFile)));

    try (EmbeddedS3 again = EmbeddedS3.start(root, 0, "llava-runs");
        S3Client client = S3Clients.create(again)) {
      assertEquals(first, again.credentials());
      // data survived the restart
      assertEquals(
          "hello",
          client.getObjectAsBytes(b -> b.bucket("llava-runs").key("a/b.txt")).asUtf8String());
      // wrong secret is refused
      S3Credentials wrong = new S3Credentials(first.accessKeyId(), "nope");
      try (S3Client bad =
          S3Clients.create(again.endpoint(), "us-east-1", S3Clients.staticCredentials(wrong))) {
        assertThrows(
            S3Exception.class,
            () -> bad.getObjectAsBytes(b -> b.bucket("llava-runs").key("a/b.txt")));
      }
    }
  }

  /** Nothing answers on a non-loopback address of this host. */
  static void assertLoopbackOnly(int port) throws Exception {
    Optional<InetAddress> external =
        Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
            .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
            .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
            .findFirst();
    if (external.isEmpty()) {
      return;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(external.get(), port), 300);
      throw new AssertionError("port " + port + " answers on " + external.get());
    } catch (java.io.IOException expected) {
      // refused: bound to loopback only
    }
  }
}
