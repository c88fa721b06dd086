package dev.encore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceArgsTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Map<String, String> parse(String... args) {
    return ReferenceArgs.parse("Tool", args, List.of("date", "logs"), "--date=D --logs=DIR",
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void namedValuesAreReturnedByName() {
    assertThat(parse("--date=2024-01-01", "--logs=a=b", "--threads=2"),
        equalTo(Map.of("date", "2024-01-01", "logs", "a=b", "threads", "2")));
  }

  @Test
  void aBareWordOrAMissingRequiredArgumentIsNamed() {
    assertThat(parse("--date=2024-01-01", "logs"), nullValue());
    assertThat(err.toString(StandardCharsets.UTF_8),
        equalTo("Tool: unexpected argument 'logs'; use --date=D --logs=DIR" + System.lineSeparator()));
    err.reset();
    assertThat(parse("--date=2024-01-01"), nullValue());
    assertThat(err.toString(StandardCharsets.UTF_8),
        equalTo("Tool: --logs is required (--date=D --logs=DIR)" + System.lineSeparator()));
  }
}
