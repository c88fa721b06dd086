package dev.encore;

/** Command-line entry point: {@code java -jar encore.jar <command> --name=value ...}. */
public final class Encore {
  private Encore() {}

  public static void main(String[] args) {
    System.out.println("encore");
  }
}
