package dev.encore;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Help and number checks for commands whose options are a small Beam options interface of their own
 * ({@code generate}, {@code bench}): lists only that interface's options, not Beam's runner options, and names the
 * option whose value is not a whole number (Beam's own message does not).
 */
public final class OptionsHelp {
  private OptionsHelp() {}

  /** One line per option declared by {@code options} ({@code --name=<Type>  (default X)}), then its description. */
  public static void print(PrintStream out, Class<? extends PipelineOptions> options) {
    for (Method getter : getters(options)) {
      String name = propertyName(getter);
      String type = getter.getReturnType().getSimpleName();
      String dflt = getter.isAnnotationPresent(Validation.Required.class) ? "required" : "default " + defaultOf(getter);
      out.printf("  --%s=<%s>  (%s)%n", name, type, dflt);
      Description description = getter.getAnnotation(Description.class);
      if (description != null) {
        out.printf("      %s%n", description.value());
      }
    }
  }

  /**
   * Checks that every int or long option given in {@code args} is a whole number.
   *
   * @throws IllegalArgumentException naming the option whose value is not a whole number
   */
  public static void checkWholeNumbers(String[] args, Class<? extends PipelineOptions> options) {
    for (Method getter : getters(options)) {
      Class<?> type = getter.getReturnType();
      if (type != int.class && type != long.class) {
        continue;
      }
      String prefix = "--" + propertyName(getter) + "=";
      for (String arg : args) {
        if (arg.startsWith(prefix)) {
          String value = arg.substring(prefix.length());
          try {
            if (type == int.class) {
              Integer.parseInt(value);
            } else {
              Long.parseLong(value);
            }
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                arg + " is not a whole number; expected --" + propertyName(getter) + "=<" + type + ">");
          }
        }
      }
    }
  }

  /** Whether the arguments ask for help ({@code --help} or {@code --help=...}). */
  public static boolean wantsHelp(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.startsWith("--help=")) {
        return true;
      }
    }
    return false;
  }

  private static List<Method> getters(Class<?> options) {
    List<Method> getters = new ArrayList<>();
    for (Method m : options.getDeclaredMethods()) {
      if (m.getName().startsWith("get") && m.getParameterCount() == 0) {
        getters.add(m);
      }
    }
    getters.sort(Comparator.comparing(OptionsHelp::propertyName));
    return getters;
  }

  private static String propertyName(Method getter) {
    String bare = getter.getName().substring(3);
    return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
  }

  private static String defaultOf(Method getter) {
    if (getter.isAnnotationPresent(Default.String.class)) {
      String value = getter.getAnnotation(Default.String.class).value();
      return value.isEmpty() ? "\"\"" : value;
    }
    if (getter.isAnnotationPresent(Default.Integer.class)) {
      return String.valueOf(getter.getAnnotation(Default.Integer.class).value());
    }
    if (getter.isAnnotationPresent(Default.Long.class)) {
      return String.valueOf(getter.getAnnotation(Default.Long.class).value());
    }
    if (getter.isAnnotationPresent(Default.Boolean.class)) {
      return String.valueOf(getter.getAnnotation(Default.Boolean.class).value());
    }
    return "none";
  }
}
