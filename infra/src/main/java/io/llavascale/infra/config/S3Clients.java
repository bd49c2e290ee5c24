package io.llavascale.infra.config;

import io.llavascale.infra.s3.EmbeddedS3;
import io.llavascale.infra.s3.S3Credentials;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * AWS SDK v2 S3 clients (Apache HTTP client, the CRT client cannot upload to S3Proxy). Checksums
 * are computed and validated only where the API requires them: the SDK's default CRC trailers
 * are not needed for correctness here (manifests carry sha256) and S3-compatible stores vary.
 */
public final class S3Clients {
  private S3Clients() {}

  public static S3Client create(StackConfig config) {
    if (config.s3Embedded() && config.s3Credentials() == null) {
      throw new IllegalStateException(
          "no S3 configured: set "
              + StackConfig.ENV_S3_ENDPOINT
              + "/"
              + StackConfig.ENV_S3_REGION
              + " or start/discover the embedded stack first");
    }
    AwsCredentialsProvider creds =
        config.s3Credentials() != null
            ? staticCredentials(config.s3Credentials())
            : DefaultCredentialsProvider.builder().build();
    return create(config.s3Endpoint(), config.s3Region(), creds);
  }

  public static S3Client create(EmbeddedS3 s3) {
    return create(s3.endpoint(), s3.region(), staticCredentials(s3.credentials()));
  }

  /**
   * @param endpoint endpoint override, or null for AWS; when set, path-style access is used
   * @param region region, or null: us-east-1 with an endpoint override, else the default chain
   */
  public static S3Client create(URI endpoint, String region, AwsCredentialsProvider credentials) {
    S3ClientBuilder b =
        S3Client.builder()
            .httpClientBuilder(
                ApacheHttpClient.builder()
                    .maxConnections(32)
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofMinutes(2)))
            .credentialsProvider(credentials)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (region != null) {
      b.region(Region.of(region));
    } else if (endpoint != null) {
      b.region(Region.US_EAST_1);
    }
    if (endpoint != null) {
      b.endpointOverride(endpoint).forcePathStyle(true);
    }
    return b.build();
  }

  public static AwsCredentialsProvider staticCredentials(S3Credentials c) {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
  }
}
