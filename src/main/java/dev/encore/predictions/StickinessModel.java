package dev.encore.predictions;

import com.google.common.hash.Hashing;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The Gaussian model of stickiness (docs/rewards.md, "Predictions", after "Impatient Bandits", KDD 2023), as plain
 * functions of discovery traces: an entity's mean trace θ ~ N(μ, Σ), a discovery's trace x ~ N(θ, V). The prior is
 * fitted by moments on mature traces; an entity's posterior and a discovery's prediction condition on the final
 * days seen so far; the backtest predicts held-out mature entities from truncated traces.
 */
public final class StickinessModel implements Serializable {
  /** Folds of the backtest. */
  public static final int FOLDS = 5;
  /** Days observed in the backtest. */
  public static final List<Integer> BACKTEST_DAYS = List.of(0, 1, 3, 7, 14, 28);
  /** The 95th percentile of N(0, 1): a central 90 % interval is ± Z_90 standard deviations. */
  public static final double Z_90 = 1.6448536269514722;
  /** V is positive definite when every squared Cholesky pivot exceeds this share of its largest diagonal entry. */
  static final double PIVOT_TOLERANCE = 1e-10;

  public static final String TOO_FEW_ENTITIES =
      "fewer than 2 entities with min_discoverers mature discoveries in the fit window";
  public static final String NOT_POSITIVE_DEFINITE = "noise covariance not positive definite";

  private final int days;
  private final int minDiscoverers;
  private final double ridge;

  /**
   * @param days W, the trace length (stickiness_days - 1)
   * @param minDiscoverers the mature discoveries an entity needs in the fit window to be fitted on (≥ 2)
   * @param ridge added to V's diagonal, as a share of its mean diagonal entry: the within-entity covariance is
   *     singular on any but large data (a day no fitted trace is active on has zero variance; its rank is at most
   *     Σ (n_e - 1)), and near-singular on more, which makes conditioning on many observed days unstable
   */
  public StickinessModel(int days, int minDiscoverers, double ridge) {
    if (minDiscoverers < 2) {
      throw new IllegalArgumentException("minDiscoverers must be >= 2 (a sample covariance), got " + minDiscoverers);
    }
    this.days = days;
    this.minDiscoverers = minDiscoverers;
    this.ridge = ridge;
  }

  /** μ (W), Σ and V (W × W). */
  public record Prior(double[] mean, double[][] cov, double[][] noise) implements Serializable {
    /** 1 + Σ μ: the mean stickiness of an entity nothing is known of. */
    public double stickiness() {
      return 1 + sum(mean);
    }
  }

  /**
   * A level's fit.
   *
   * @param prior null when there is none
   * @param noPriorReason why there is none, else null
   * @param entities qualifying entities fitted
   * @param traces their mature traces
   */
  public record Fit(Prior prior, String noPriorReason, int entities, int traces) implements Serializable {}

  /** The posterior of an entity's mean trace, from its first {@code daysObserved} days. */
  public record Posterior(double[] mean, double[][] cov, int daysObserved) {
    /** 1 + Σ m: the predicted mean stickiness. */
    public double stickiness() {
      return 1 + sum(mean);
    }

    /** Σ_ij C_ij: the variance of the predicted mean stickiness. */
    public double variance() {
      return sum(cov);
    }

    /** The standard deviation of the predicted mean stickiness (0 when rounding makes the variance negative). */
    public double sd() {
      return Math.sqrt(Math.max(0, variance()));
    }
  }

  /** A predicted stickiness and its standard deviation. */
  public record Prediction(double mean, double sd) {}

  /**
   * What an entity's discoveries show: per day j (index j-1), n_j discoveries with day j final and the sum of their
   * day-j activity.
   */
  public record Evidence(int[] n, long[] active) {
    /** The evidence of some discoveries, over {@code days} days. */
    public static Evidence of(Collection<DiscoveryTrace> traces, int days) {
      int[] n = new int[days];
      long[] active = new long[days];
      for (DiscoveryTrace t : traces) {
        for (int j = 1; j <= Math.min(t.daysFinal(), days); j++) {
          n[j - 1]++;
          active[j - 1] += t.active(j) ? 1 : 0;
        }
      }
      return new Evidence(n, active);
    }

    /** k: the leading days with n_j > 0. */
    public int daysObserved() {
      int k = 0;
      while (k < n.length && n[k] > 0) {
        k++;
      }
      return k;
    }

    /** Σ n_j: the final trace days used. */
    public long traceDays() {
      long s = 0;
      for (int v : n) {
        s += v;
      }
      return s;
    }
  }

  /** Fits the prior of one level on its mature model discoveries of the fit window (any order). */
  public Fit fit(Collection<DiscoveryTrace> mature) {
    List<double[]> means = new ArrayList<>();
    double[][] noiseSum = new double[days][days];
    double[][] meanNoiseSum = new double[days][days];
    int traces = 0;
    for (List<DiscoveryTrace> entity : byEntity(mature).values()) {
      if (entity.size() < minDiscoverers) {
        continue;
      }
      means.add(addWithinCovariance(entity, noiseSum, meanNoiseSum));
      traces += entity.size();
    }
    int e = means.size();
    if (e < 2) {
      return new Fit(null, TOO_FEW_ENTITIES, e, traces);
    }
    double[] mu = new double[days];
    for (double[] m : means) {
      for (int i = 0; i < days; i++) {
        mu[i] += m[i];
      }
    }
    for (int i = 0; i < days; i++) {
      mu[i] /= e;
    }
    double[][] sigma = new double[days][days];
    for (double[] m : means) {
      for (int i = 0; i < days; i++) {
        double di = m[i] - mu[i];
        for (int j = 0; j < days; j++) {
          sigma[i][j] += di * (m[j] - mu[j]);
        }
      }
    }
    double meanVariance = 0;
    for (int i = 0; i < days; i++) {
      for (int j = 0; j < days; j++) {
        // The spread of the observed means less the mean noise of a mean (S_e / n_e): the spread of the θ_e.
        sigma[i][j] = sigma[i][j] / (e - 1) - meanNoiseSum[i][j] / e;
        noiseSum[i][j] /= e;
      }
      meanVariance += noiseSum[i][i];
    }
    sigma = positivePart(sigma);
    double added = ridge * meanVariance / days;
    for (int i = 0; i < days; i++) {
      noiseSum[i][i] += added;
    }
    if (!positiveDefinite(noiseSum)) {
      return new Fit(null, NOT_POSITIVE_DEFINITE, e, traces);
    }
    return new Fit(new Prior(mu, sigma, noiseSum), null, e, traces);
  }

  /**
   * Adds an entity's within-entity sample covariance (denominator n - 1) to {@code sum} and returns its mean trace.
   * The sums are exact integer counts of 0/1 traces, so each entry is divided once.
   */
  private double[] addWithinCovariance(List<DiscoveryTrace> entity, double[][] sum, double[][] meanNoiseSum) {
    long n = entity.size();
    long[] s = new long[days];
    long[][] pairs = new long[days][days];
    for (DiscoveryTrace t : entity) {
      int[] on = t.active().stream().filter(j -> j < days).toArray();
      for (int a : on) {
        s[a]++;
        for (int b : on) {
          pairs[a][b]++;
        }
      }
    }
    double[] mean = new double[days];
    double denominator = (double) n * (n - 1);
    for (int i = 0; i < days; i++) {
      mean[i] = (double) s[i] / n;
      for (int j = 0; j < days; j++) {
        sum[i][j] += (n * pairs[i][j] - s[i] * s[j]) / denominator;
        meanNoiseSum[i][j] += (n * pairs[i][j] - s[i] * s[j]) / (denominator * n);
      }
    }
    return mean;
  }

  /**
   * The nearest positive semi-definite matrix: Q max(Λ, 0) Qᵀ for m = Q Λ Qᵀ. Subtracting the noise of the means
   * can leave small negative eigenvalues where the entities hardly differ.
   */
  private static double[][] positivePart(double[][] m) {
    int n = m.length;
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
    if (!eig.decompose(new DMatrixRMaj(m))) {
      throw new IllegalStateException("no eigendecomposition of a symmetric " + n + " x " + n + " matrix");
    }
    double[][] out = new double[n][n];
    for (int k = 0; k < n; k++) {
      double lambda = eig.getEigenvalue(k).getReal();
      if (lambda <= 0) {
        continue;
      }
      DMatrixRMaj q = eig.getEigenVector(k);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          out[i][j] += lambda * q.get(i, 0) * q.get(j, 0);
        }
      }
    }
    return out;
  }

  /** The posterior of an entity's mean trace given its evidence (the prior itself when nothing is observed). */
  public Posterior posterior(Prior prior, Evidence evidence) {
    int k = evidence.daysObserved();
    double[] mu = prior.mean();
    double[][] sigma = prior.cov();
    if (k == 0) {
      return new Posterior(mu.clone(), copy(sigma), 0);
    }
    DMatrixRMaj a = new DMatrixRMaj(k, k);
    DMatrixRMaj rhs = new DMatrixRMaj(k, days + 1);
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        a.set(i, j, sigma[i][j] + prior.noise()[i][j] / Math.max(evidence.n()[i], evidence.n()[j]));
      }
      rhs.set(i, 0, (double) evidence.active()[i] / evidence.n()[i] - mu[i]);
      for (int j = 0; j < days; j++) {
        rhs.set(i, j + 1, sigma[i][j]);
      }
    }
    DMatrixRMaj solved = solve(a, rhs);
    double[] m = new double[days];
    double[][] c = new double[days][days];
    for (int j = 0; j < days; j++) {
      double shift = 0;
      for (int i = 0; i < k; i++) {
        shift += sigma[j][i] * solved.get(i, 0);
      }
      m[j] = mu[j] + shift;
      for (int l = 0; l < days; l++) {
        double explained = 0;
        for (int i = 0; i < k; i++) {
          explained += sigma[j][i] * solved.get(i, l + 1);
        }
        c[j][l] = sigma[j][l] - explained;
      }
    }
    return new Posterior(m, c, k);
  }

  /**
   * What {@link #posterior} gives of the entity's stickiness, without its whole covariance: with s = Σ[I, ·] 1 the
   * variance is 1ᵀΣ1 - sᵀA⁻¹s, a solve with two right-hand sides instead of W + 1. The mean is computed as the
   * posterior's (the same column of the same solve, the same sums), so it is the same double; the variance agrees
   * to rounding. Most entities of a backfill's earlier dates need only this.
   */
  public Prediction stickiness(Prior prior, Evidence evidence) {
    int k = evidence.daysObserved();
    double[] mu = prior.mean();
    double[][] sigma = prior.cov();
    double total = sum(sigma);
    if (k == 0) {
      return new Prediction(1 + sum(mu), Math.sqrt(Math.max(0, total)));
    }
    DMatrixRMaj a = new DMatrixRMaj(k, k);
    DMatrixRMaj rhs = new DMatrixRMaj(k, 2);
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        a.set(i, j, sigma[i][j] + prior.noise()[i][j] / Math.max(evidence.n()[i], evidence.n()[j]));
      }
      rhs.set(i, 0, (double) evidence.active()[i] / evidence.n()[i] - mu[i]);
      rhs.set(i, 1, sum(sigma[i]));
    }
    DMatrixRMaj solved = solve(a, rhs);
    double[] m = new double[days];
    for (int j = 0; j < days; j++) {
      double shift = 0;
      for (int i = 0; i < k; i++) {
        shift += sigma[j][i] * solved.get(i, 0);
      }
      m[j] = mu[j] + shift;
    }
    double explained = 0;
    for (int i = 0; i < k; i++) {
      explained += rhs.get(i, 1) * solved.get(i, 1);
    }
    return new Prediction(1 + sum(m), Math.sqrt(Math.max(0, total - explained)));
  }

  /**
   * Predicts single discoveries' stickiness from their own final days, their traces drawn from N(a, B + V): one
   * instance per (a, B), caching the factorisation per number of days known.
   */
  public DiscoveryPredictor discoveries(double[] a, double[][] b, double[][] noise) {
    return new DiscoveryPredictor(a, b, noise);
  }

  /** See {@link #discoveries}. */
  public final class DiscoveryPredictor {
    private final double[] a;
    private final double[][] s;
    private final Map<Integer, Conditioning> byDaysKnown = new HashMap<>();

    private DiscoveryPredictor(double[] a, double[][] b, double[][] noise) {
      this.a = a;
      this.s = new double[days][days];
      for (int i = 0; i < days; i++) {
        for (int j = 0; j < days; j++) {
          s[i][j] = b[i][j] + noise[i][j];
        }
      }
    }

    /** The discovery's stickiness: its known active days plus the conditional mean of the others. */
    public Prediction predict(DiscoveryTrace own) {
      int k = Math.min(own.daysFinal(), days);
      Conditioning c = byDaysKnown.computeIfAbsent(k, this::conditioning);
      double mean = 1 + c.unknownMean;
      for (int i = 0; i < k; i++) {
        double x = own.active(i + 1) ? 1 : 0;
        mean += x + c.weights[i] * (x - a[i]);
      }
      return new Prediction(mean, Math.sqrt(Math.max(0, c.unknownVariance)));
    }

    /**
     * With I the k known days and J the others, u = S[I, J] 1: the predicted sum over J is 1ᵀa[J] + wᵀ(x[I] - a[I])
     * with w = S[I, I]⁻¹ u, and its variance 1ᵀ S[J, J] 1 - uᵀ w.
     */
    private Conditioning conditioning(int k) {
      double unknownMean = 0;
      double unknownVariance = 0;
      for (int j = k; j < days; j++) {
        unknownMean += a[j];
        for (int l = k; l < days; l++) {
          unknownVariance += s[j][l];
        }
      }
      if (k == 0) {
        return new Conditioning(new double[0], unknownMean, unknownVariance);
      }
      DMatrixRMaj known = new DMatrixRMaj(k, k);
      DMatrixRMaj u = new DMatrixRMaj(k, 1);
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          known.set(i, j, s[i][j]);
        }
        double ui = 0;
        for (int j = k; j < days; j++) {
          ui += s[i][j];
        }
        u.set(i, 0, ui);
      }
      DMatrixRMaj w = solve(known, u);
      double[] weights = new double[k];
      for (int i = 0; i < k; i++) {
        weights[i] = w.get(i, 0);
        unknownVariance -= u.get(i, 0) * weights[i];
      }
      return new Conditioning(weights, unknownMean, unknownVariance);
    }
  }

  private record Conditioning(double[] weights, double unknownMean, double unknownVariance) {}

  /**
   * One held-out entity of the backtest.
   *
   * @param fold its fold
   * @param discoverers its mature discoveries n
   * @param realised the realised mean stickiness of its discoverers, 1 + (1/n) Σ_i Σ_j x_ij
   * @param noiseVariance 1ᵀV1 / n with the fold prior's V: the sampling noise of a mean of n discoverers
   * @param byDays one prediction per backtest day count, in {@link #BACKTEST_DAYS} order
   */
  public record HeldOut(
      String entityId, int fold, int discoverers, double realised, double noiseVariance, List<HeldOutDays> byDays)
      implements Serializable {}

  /**
   * A held-out entity predicted from its first k days.
   *
   * @param predicted the posterior's predicted mean stickiness
   * @param variance its variance
   * @param priorMean baseline: the fold prior's 1 + Σ μ
   * @param scaledCount baseline: 1 + (W / k) Σ_{j ≤ k} ȳ_j; NaN for k = 0
   */
  public record HeldOutDays(int days, double predicted, double variance, double priorMean, double scaledCount)
      implements Serializable {}

  /** A backtest row: one number of days observed, every held-out entity of the level. */
  public record BacktestRow(
      int daysObserved, int entities, double mae, double maePriorMean, Double maeScaledCount, double coverage90)
      implements Serializable {}

  /** The fold of an entity: the first 8 bytes of SHA-256 of its UTF-8 id, unsigned, modulo {@link #FOLDS}. */
  public static int fold(String entityId) {
    byte[] digest = Hashing.sha256().hashString(entityId, StandardCharsets.UTF_8).asBytes();
    return (int) Long.remainderUnsigned(ByteBuffer.wrap(digest, 0, 8).getLong(), FOLDS);
  }

  /**
   * Predicts every qualifying entity of the fit set with the prior of the other folds, from its mature traces
   * truncated to each of {@link #BACKTEST_DAYS}; entities of a fold without a prior are left out.
   */
  public List<HeldOut> backtest(Collection<DiscoveryTrace> mature) {
    Map<String, List<DiscoveryTrace>> qualifying = new TreeMap<>();
    byEntity(mature).forEach((id, traces) -> {
      if (traces.size() >= minDiscoverers) {
        qualifying.put(id, traces);
      }
    });
    List<HeldOut> out = new ArrayList<>();
    for (int f = 0; f < FOLDS; f++) {
      List<DiscoveryTrace> training = new ArrayList<>();
      List<String> held = new ArrayList<>();
      for (Map.Entry<String, List<DiscoveryTrace>> e : qualifying.entrySet()) {
        if (fold(e.getKey()) == f) {
          held.add(e.getKey());
        } else {
          training.addAll(e.getValue());
        }
      }
      Prior prior = held.isEmpty() ? null : fit(training).prior();
      if (prior == null) {
        continue;
      }
      for (String id : held) {
        out.add(heldOut(prior, id, f, qualifying.get(id)));
      }
    }
    return out;
  }

  private HeldOut heldOut(Prior prior, String id, int fold, List<DiscoveryTrace> traces) {
    int n = traces.size();
    Evidence all = Evidence.of(traces, days);
    long activeDays = 0;
    for (long v : all.active()) {
      activeDays += v;
    }
    List<HeldOutDays> byDays = new ArrayList<>();
    for (int k : BACKTEST_DAYS) {
      if (k > days) {
        continue;
      }
      int[] counts = new int[days];
      long[] active = new long[days];
      double scaled = 0;
      for (int j = 0; j < k; j++) {
        counts[j] = n;
        active[j] = all.active()[j];
        scaled += (double) active[j] / n;
      }
      Posterior p = posterior(prior, new Evidence(counts, active));
      byDays.add(new HeldOutDays(
          k, p.stickiness(), p.variance(), prior.stickiness(), k == 0 ? Double.NaN : 1 + days * scaled / k));
    }
    return new HeldOut(id, fold, n, 1 + (double) activeDays / n, sum(prior.noise()) / n, byDays);
  }

  /** The backtest table: per day count, errors against the realised means and the 90 % interval's coverage. */
  public static List<BacktestRow> summarise(List<HeldOut> heldOut) {
    List<BacktestRow> rows = new ArrayList<>();
    if (heldOut.isEmpty()) {
      return rows;
    }
    int columns = heldOut.get(0).byDays().size();
    for (int c = 0; c < columns; c++) {
      double model = 0;
      double priorMean = 0;
      double scaled = 0;
      int covered = 0;
      int k = heldOut.get(0).byDays().get(c).days();
      for (HeldOut e : heldOut) {
        HeldOutDays d = e.byDays().get(c);
        double error = Math.abs(d.predicted() - e.realised());
        model += error;
        priorMean += Math.abs(d.priorMean() - e.realised());
        scaled += Math.abs(d.scaledCount() - e.realised());
        covered += error <= Z_90 * Math.sqrt(Math.max(0, d.variance() + e.noiseVariance())) ? 1 : 0;
      }
      int n = heldOut.size();
      rows.add(new BacktestRow(
          k, n, model / n, priorMean / n, k == 0 ? null : scaled / n, (double) covered / n));
    }
    return rows;
  }

  private static Map<String, List<DiscoveryTrace>> byEntity(Collection<DiscoveryTrace> traces) {
    Map<String, List<DiscoveryTrace>> byEntity = new TreeMap<>();
    for (DiscoveryTrace t : traces) {
      byEntity.computeIfAbsent(t.entityId(), id -> new ArrayList<>()).add(t);
    }
    return byEntity;
  }

  private static boolean positiveDefinite(double[][] m) {
    int n = m.length;
    DMatrixRMaj matrix = new DMatrixRMaj(m);
    CholeskyDecomposition_F64<DMatrixRMaj> cholesky = DecompositionFactory_DDRM.chol(n, true);
    if (!cholesky.decompose(matrix.copy())) {
      return false;
    }
    double largest = 0;
    for (int i = 0; i < n; i++) {
      largest = Math.max(largest, m[i][i]);
    }
    DMatrixRMaj l = cholesky.getT(null);
    for (int i = 0; i < n; i++) {
      if (l.get(i, i) * l.get(i, i) <= PIVOT_TOLERANCE * largest) {
        return false;
      }
    }
    return true;
  }

  /** Solves a X = b for a symmetric positive definite a (Cholesky). */
  private static DMatrixRMaj solve(DMatrixRMaj a, DMatrixRMaj b) {
    LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(a.numRows);
    if (!solver.setA(a)) {
      // Cannot happen with a positive definite V (docs/rewards.md); a prior without one is never published.
      throw new IllegalStateException("matrix to invert is not positive definite");
    }
    DMatrixRMaj x = new DMatrixRMaj(b.numRows, b.numCols);
    solver.solve(b, x);
    return x;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }

  private static double sum(double[][] m) {
    double s = 0;
    for (double[] row : m) {
      s += sum(row);
    }
    return s;
  }

  private static double[][] copy(double[][] m) {
    double[][] c = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      c[i] = m[i].clone();
    }
    return c;
  }
}
