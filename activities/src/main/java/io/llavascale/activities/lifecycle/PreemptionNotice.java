package io.llavascale.activities.lifecycle;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls for a spot-style preemption notice and runs the worker's graceful shutdown once, before
 * the kill arrives: training stages then checkpoint and hand back exactly as on SIGTERM.
 *
 * <p>A notice is a file that appears (a node agent or a Kubernetes preStop hook writes it), or an
 * HTTP endpoint answering 200 with a body other than {@code FALSE} (EC2's
 * {@code /latest/meta-data/spot/instance-action} answers 404 until a stop is scheduled; GCE's
 * {@code instance/preempted} answers FALSE / TRUE). Other answers and errors mean no notice.
 */
public final class PreemptionNotice implements AutoCloseable {
  public static final String ENV_FILE = "LLAVA_PREEMPTION_FILE";
  public static final String ENV_URL = "LLAVA_PREEMPTION_URL";
  public static final String ENV_POLL = "LLAVA_PREEMPTION_POLL";
  private static final Logger log = LoggerFactory.getLogger(PreemptionNotice.class);

  /** Where to look and how often; both sources empty means nothing is watched. */
  public record Settings(Optional<Path> file, Optional<URI> url, Duration every) {
    public static Settings fromEnv(Map<String, String> env) {
      String file = env.getOrDefault(ENV_FILE, "").trim();
      String url = env.getOrDefault(ENV_URL, "").trim();
      String poll = env.getOrDefault(ENV_POLL, "").trim();
      Duration every;
      try {
        every = poll.isEmpty() ? Duration.ofSeconds(5) : Duration.parse(poll);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(ENV_POLL + " must be an ISO-8601 duration such as PT5S, got '" + poll + "'");
      }
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException(ENV_POLL + " must be positive, got " + poll);
      }
      URI uri = null;
      if (!url.isEmpty()) {
        uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
          throw new IllegalArgumentException(ENV_URL + " must be an http(s) URL, got '" + url + "'");
        }
      }
      return new Settings(file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)), Optional.ofNullable(uri), every);
    }

    public boolean watchesAnything() {
      return file.isPresent() || url.isPresent();
    }
  }

  private final Settings settings;
  private final Runnable onNotice;
  private final AtomicBoolean fired = new AtomicBoolean();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "preemption-notice");
    t.setDaemon(true);
    return t;
  });

  private PreemptionNotice(Settings settings, Runnable onNotice) {
    this.settings = settings;
    this.onNotice = onNotice;
  }

  /** Starts polling (when anything is configured); {@code onNotice} runs at most once. */
  public static PreemptionNotice watch(Settings settings, Runnable onNotice) {
    PreemptionNotice notice = new PreemptionNotice(settings, onNotice);
    if (settings.watchesAnything()) {
      notice.poller.scheduleWithFixedDelay(notice::poll, 0, settings.every().toMillis(), TimeUnit.MILLISECONDS);
      log.info("watching for preemption notices: file={} url={} every {}s", settings.file().orElse(null),
          settings.url().orElse(null), settings.every().toSeconds());
    }
    return notice;
  }

  private void poll() {
    Optional<String> why = settings.file().filter(Files::exists).map(f -> "file " + f + " appeared")
        .or(() -> settings.url().flatMap(this::ask));
    if (why.isPresent() && fired.compareAndSet(false, true)) {
      log.warn("preemption notice: {}; shutting down gracefully before the kill", why.get());
      poller.shutdown();
      onNotice.run();
    }
  }

  private Optional<String> ask(URI url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2))
          .header("Metadata-Flavor", "Google").GET().build(), HttpResponse.BodyHandlers.ofString());
      String body = r.body().trim();
      return r.statusCode() == 200 && !body.isEmpty() && !body.equalsIgnoreCase("false")
          ? Optional.of(url + " answered " + body) : Optional.empty();
    } catch (java.io.IOException e) {
      log.debug("preemption endpoint {} not answering: {}", url, e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
