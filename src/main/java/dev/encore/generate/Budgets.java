package dev.encore.generate;

/**
 * How many plays each listener gets: the --plays total split by heavy-tailed activity weights (so a few power
 * users make a large share), never more than a listener can fit in their awake hours.
 */
final class Budgets {
  /** The bot's share of all plays, when it is in: one account, as much as dozens of people. */
  static final double BOT_SHARE = 0.12;

  private Budgets() {}

  /** The user index of the bot, or -1 when there is none. */
  static int botIndex(GeneratorConfig config) {
    if (!config.bot() || config.users() < 2) {
      return -1;
    }
    return Rng.of(config.seed(), 400, 0).nextInt(config.users());
  }

  /**
   * Plays per user, summing exactly to config.plays().
   *
   * @throws IllegalArgumentException when the listeners cannot play that many in the days given
   */
  static long[] perUser(GeneratorConfig config, int botIndex) {
    int users = config.users();
    double[] weights = new double[users];
    long[] caps = new long[users];
    double humanWeight = 0;
    long capacity = 0;
    for (int u = 0; u < users; u++) {
      Listener listener = Listener.create(config.seed(), u, u == botIndex, config.days());
      weights[u] = listener.weight;
      caps[u] = listener.capacity(config.rangeStartMs(), config.days());
      humanWeight += listener.weight;
      capacity += caps[u];
    }
    if (botIndex >= 0) {
      weights[botIndex] = users == 1 ? 1 : humanWeight * BOT_SHARE / (1 - BOT_SHARE);
    }
    if (config.plays() > capacity) {
      throw new IllegalArgumentException("--plays=" + config.plays() + " is more than --users=" + users
          + " can play in --days=" + config.days() + ": at most " + capacity
          + " (every listener sleeps; about " + Listener.HUMAN_PLAYS_PER_DAY_CAP
          + " plays per user and day at most). Raise --users or --days, or lower --plays.");
    }
    return Allocation.proportional(config.plays(), weights, caps);
  }
}
