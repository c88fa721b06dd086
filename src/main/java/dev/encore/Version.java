package dev.encore;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Encore's version, as Maven built it. */
public final class Version {
  private Version() {}

  /** The project version, or "dev" when run from unpackaged classes without resources. */
  public static String get() {
    try (InputStream in = Version.class.getResourceAsStream("/encore.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
