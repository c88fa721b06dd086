package dev.encore.bench;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code --name=value} command line of a reference's main (the bench starts them in child JVMs). */
final class ReferenceArgs {
  private ReferenceArgs() {}

  /**
   * The arguments by name, or null after telling {@code err} what is wrong (the caller exits with 2).
   *
   * @param tool the reference's name, first in every message
   * @param usage the required arguments as a user would type them
   */
  static Map<String, String> parse(String tool, String[] args, List<String> required, String usage, PrintStream err) {
    Map<String, String> given = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) {
        err.println(tool + ": unexpected argument '" + a + "'; use " + usage);
        return null;
      }
      given.put(a.substring(2, eq), a.substring(eq + 1));
    }
    for (String name : required) {
      if (!given.containsKey(name)) {
        err.println(tool + ": --" + name + " is required (" + usage + ")");
        return null;
      }
    }
    return given;
  }
}
