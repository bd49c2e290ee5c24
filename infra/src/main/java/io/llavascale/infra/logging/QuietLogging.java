package io.llavascale.infra.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded servers' chatty loggers (Jetty inside S3Proxy, S3Proxy itself) at WARN
 * without shipping a logback.xml that would clash with the application's own. A level the app
 * configured explicitly for one of these loggers wins; we only fill in unset ones.
 */
public final class QuietLogging {
  private static final String[] NOISY = {
    "org.eclipse.jetty", "org.gaul.shaded.org.eclipse.jetty", "org.gaul.s3proxy", "io.grpc.netty",
    "io.temporal.internal.testservice"
  };

  private QuietLogging() {}

  public static void apply() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    // Compare by name: logback is optional, and instanceof would load a class that may be absent.
    if (!"ch.qos.logback.classic.LoggerContext".equals(factory.getClass().getName())) {
      return;
    }
    try {
      LogbackLevels.setIfUnset(factory, NOISY);
    } catch (LinkageError ignored) {
      // a different logback line than the one we compiled against: leave logging alone
    }
  }

  private static final class LogbackLevels {
    static void setIfUnset(ILoggerFactory factory, String[] names) {
      ch.qos.logback.classic.LoggerContext ctx = (ch.qos.logback.classic.LoggerContext) factory;
      for (String name : names) {
        ch.qos.logback.classic.Logger logger = ctx.getLogger(name);
        if (logger.getLevel() == null) {
          logger.setLevel(ch.qos.logback.classic.Level.WARN);
        }
      }
    }
  }
}
