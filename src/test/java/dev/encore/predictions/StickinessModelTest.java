package dev.encore.predictions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notANumber;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.predictions.StickinessModel.BacktestRow;
import dev.encore.predictions.StickinessModel.DiscoveryPredictor;
import dev.encore.predictions.StickinessModel.Evidence;
import dev.encore.predictions.StickinessModel.Fit;
import dev.encore.predictions.StickinessModel.HeldOut;
import dev.encore.predictions.StickinessModel.HeldOutDays;
import dev.encore.predictions.StickinessModel.Posterior;
import dev.encore.predictions.StickinessModel.Prediction;
import dev.encore.predictions.StickinessModel.Prior;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stickiness model (docs/rewards.md, "Predictions") on tiny cases whose every expected value is worked out by
 * hand in the comments (W = 1, 2 or 3 days), except in the W = 3 backtest, whose fold priors need a 3 × 3
 * eigendecomposition (Σ's positive part): its 1ᵀΣ1 and posteriors at k ≥ 1 are checked against an independent NumPy
 * implementation of the spec's steps 1–4, 7 and 11, the hand-computable values (V, μ, realised means, baselines,
 * 1ᵀΣ₀1 as a strict lower bound) by hand.
 */
class StickinessModelTest {
  private static final double EPS = 1e-12;
  /** The ridge of every hand-computed case here: ε = 1e-3 × the mean diagonal entry of V₀. */
  private static final double RIDGE = 1e-3;

  /** A discovery of {@code entity} whose first {@code known.length} days are final, known[j-1] = x_j. */
  private static DiscoveryTrace trace(String entity, int... known) {
    BitSet active = new BitSet();
    for (int j = 0; j < known.length; j++) {
      if (known[j] == 1) {
        active.set(j);
      }
    }
    return new DiscoveryTrace(entity, 19_000, known.length, active);
  }

  private static void assertVector(double[] actual, double... expected) {
    assertThat(actual.length, equalTo(expected.length));
    for (int i = 0; i < expected.length; i++) {
      assertThat("entry " + i, actual[i], closeTo(expected[i], EPS));
    }
  }

  private static void assertMatrix(double[][] actual, double[][] expected) {
    assertThat(actual.length, equalTo(expected.length));
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i].length, equalTo(expected[i].length));
      for (int j = 0; j < expected[i].length; j++) {
        assertThat("entry " + i + "," + j, actual[i][j], closeTo(expected[i][j], EPS));
      }
    }
  }

  // ---- fit ----------------------------------------------------------------------------------------------------

  @Test
  void fitsMeanBetweenAndWithinCovariancesByMoments() {
    StickinessModel model = new StickinessModel(2, 2, RIDGE);
    // Interleaved on purpose: fit groups by entity itself. "d" has 1 discovery < min_discoverers 2: ignored (with
    // it, μ would move and its S_d would divide by n - 1 = 0).
    Fit fit = model.fit(List.of(trace("b", 1, 1), trace("a", 1, 0), trace("c", 0, 0), trace("d", 1, 1),
        trace("b", 1, 0), trace("a", 0, 1), trace("c", 0, 1), trace("b", 0, 0)));
    // a: (1,0), (0,1): x̄ = (1/2, 1/2); deviations ±(1/2, -1/2); S_a = 2·[[1/4,-1/4],[-1/4,1/4]] / 1
    //    = [[1/2, -1/2], [-1/2, 1/2]]
    // b: (1,1), (1,0), (0,0): x̄ = (2/3, 1/3); deviations (1/3, 2/3), (1/3, -1/3), (-2/3, -1/3);
    //    Σ dev1² = 1/9+1/9+4/9 = 2/3, Σ dev2² = 4/9+1/9+1/9 = 2/3, Σ dev1·dev2 = 2/9-1/9+2/9 = 1/3; / (3-1):
    //    S_b = [[1/3, 1/6], [1/6, 1/3]]
    // c: (0,0), (0,1): x̄ = (0, 1/2); S_c = [[0, 0], [0, 1/2]]
    assertThat(fit.noPriorReason(), nullValue());
    assertThat(fit.entities(), equalTo(3));
    assertThat(fit.traces(), equalTo(7));
    Prior prior = fit.prior();
    // μ = ((1/2 + 2/3 + 0)/3, (1/2 + 1/3 + 1/2)/3) = (7/18, 4/9)
    assertVector(prior.mean(), 7.0 / 18, 4.0 / 9);
    // x̄_e - μ in 18ths: a (2, 1), b (5, -2), c (-7, 1); the spread of the means (1/(E-1)) Σ_e outer / 18²:
    //    11: (4+25+49)/2 = 39, 22: (1+4+1)/2 = 3, 12: (2-10-7)/2 = -7.5  → [[39, -7.5], [-7.5, 3]] / 324
    // less the noise of the means (1/E) Σ_e S_e/n_e: S_a/2 + S_b/3 + S_c/2 = [[1/4 + 1/9, -1/4 + 1/18],
    //    [-1/4 + 1/18, 1/4 + 1/9 + 1/4]] = [[13/36, -7/36], [-7/36, 22/36]], / 3 = [[39, -21], [-21, 66]] / 324:
    // Σ₀ = [[0, 13.5], [13.5, -63]] / 324 = [[0, 27], [27, -126]] / 648, det < 0: one negative eigenvalue.
    // Eigenvalues of M = [[0, 27], [27, -126]]: λ² + 126λ - 729 = 0, λ± = -63 ± √(3969 + 729) = -63 ± 9√58.
    // Σ = λ₊ P / 648 with P = (M - λ₋ I)/(λ₊ - λ₋) the projector on λ₊'s eigenvector, λ₊ - λ₋ = 18√58:
    //    11: λ₊(-λ₋) / (18√58 · 648) = -det M / (11664√58) = 729 / (11664√58) = 1/(16√58)
    //    12: λ₊ · 27 / (11664√58) = 9(√58 - 7) · 27 / (11664√58) = (1 - 7/√58)/48
    //    22: λ₊(-126 - λ₋) / (11664√58) = λ₊² / (11664√58) = 81(√58 - 7)² / (11664√58) = (107 - 14√58)/(144√58)
    // (rank 1: 11 · 22 = 12² = (107 - 14√58)/133632).
    double r58 = Math.sqrt(58);
    assertMatrix(prior.cov(), new double[][] {
        {1 / (16 * r58), (1 - 7 / r58) / 48}, {(1 - 7 / r58) / 48, (107 - 14 * r58) / (144 * r58)}});
    // V₀ = (S_a + S_b + S_c)/3: 11: (1/2+1/3+0)/3 = 5/18, 22: (1/2+1/3+1/2)/3 = 4/9, 12: (-1/2+1/6+0)/3 = -1/9;
    // ridge ε = 1e-3 · mean diag V₀ = 1e-3 · (5/18 + 8/18)/2 = 13/36000, on the diagonal only: V = V₀ + ε I
    double ridge = 13.0 / 36000;
    assertMatrix(prior.noise(), new double[][] {{5.0 / 18 + ridge, -1.0 / 9}, {-1.0 / 9, 4.0 / 9 + ridge}});
    // 1 + Σμ = 1 + 7/18 + 8/18 = 33/18
    assertThat(prior.stickiness(), closeTo(33.0 / 18, EPS));
  }

  @Test
  void fewerThanTwoQualifyingEntitiesGiveNoPrior() {
    // min_discoverers 3: only b (3 discoveries) qualifies; a and c (2 each) are ignored, so E = 1.
    StickinessModel model = new StickinessModel(2, 3, RIDGE);
    Fit fit = model.fit(List.of(trace("a", 1, 0), trace("a", 0, 1), trace("b", 1, 1), trace("b", 1, 0),
        trace("b", 0, 0), trace("c", 0, 0), trace("c", 0, 1)));
    assertThat(fit.prior(), nullValue());
    assertThat(fit.noPriorReason(), equalTo(StickinessModel.TOO_FEW_ENTITIES));
    assertThat(fit.noPriorReason(),
        equalTo("fewer than 2 entities with min_discoverers mature discoveries in the fit window"));
    assertThat(fit.entities(), equalTo(1));
    assertThat(fit.traces(), equalTo(3));

    Fit nothing = model.fit(List.of());
    assertThat(nothing.prior(), nullValue());
    assertThat(nothing.noPriorReason(), equalTo(StickinessModel.TOO_FEW_ENTITIES));
    assertThat(nothing.entities(), equalTo(0));
    assertThat(nothing.traces(), equalTo(0));
  }

  @Test
  void everyEntitysTracesAllTheSameGiveNoPrior() {
    StickinessModel model = new StickinessModel(2, 2, RIDGE);
    // Every fitted trace is (1, 0): every S_e = 0, so V₀ = 0, the ridge 1e-3 · mean diag V₀ = 0 and V = 0.
    Fit identical = model.fit(List.of(trace("a", 1, 0), trace("a", 1, 0), trace("b", 1, 0), trace("b", 1, 0),
        trace("b", 1, 0)));
    assertThat(identical.prior(), nullValue());
    assertThat(identical.noPriorReason(), equalTo(StickinessModel.NOT_POSITIVE_DEFINITE));
    assertThat(identical.noPriorReason(), equalTo("noise covariance not positive definite"));
    assertThat(identical.entities(), equalTo(2));
    assertThat(identical.traces(), equalTo(5));

    // The entities differ (a always (1, 0), b always (0, 1): Σ ≠ 0) but within each every trace is the same:
    // still V₀ = 0, ε = 0, V = 0.
    Fit constantWithin = model.fit(List.of(trace("a", 1, 0), trace("a", 1, 0), trace("b", 0, 1), trace("b", 0, 1),
        trace("b", 0, 1)));
    assertThat(constantWithin.prior(), nullValue());
    assertThat(constantWithin.noPriorReason(), equalTo(StickinessModel.NOT_POSITIVE_DEFINITE));
    assertThat(constantWithin.entities(), equalTo(2));
  }

  @Test
  void theRidgeIsAShareOfTheMeanWithinVarianceOnTheDiagonalOnly() {
    // Day 2 equals day 1 in every trace: S_a = (1/2)·J (values 1, 0), S_b = (1/3)·J (values 1, 0, 0: deviations
    // 2/3, -1/3, -1/3, squares 6/9, over 2), J the all-ones matrix; V₀ = (5/12)·J is singular (without the ridge
    // there was no prior). ε = 1e-3 · (5/12 + 5/12)/2 = 1/2400 on the diagonal; the off-diagonal stays 5/12.
    Fit fit = new StickinessModel(2, 2, RIDGE).fit(List.of(trace("a", 1, 1), trace("a", 0, 0), trace("b", 1, 1),
        trace("b", 0, 0), trace("b", 0, 0)));
    assertThat(fit.noPriorReason(), nullValue());
    double ridge = 1.0 / 2400;
    assertMatrix(fit.prior().noise(), new double[][] {{5.0 / 12 + ridge, 5.0 / 12}, {5.0 / 12, 5.0 / 12 + ridge}});
    // μ = ((1/2 + 1/3)/2, same) = (5/12, 5/12); x̄_e - μ = ±(1/12, 1/12): spread 2·(1/144)·J / 1 = (1/72)·J,
    // less (1/2)(S_a/2 + S_b/3) = (1/2)(1/4 + 1/9)·J = (13/72)·J: Σ₀ = -(1/6)·J, eigenvalues -1/3 and 0: Σ = 0.
    assertVector(fit.prior().mean(), 5.0 / 12, 5.0 / 12);
    assertMatrix(fit.prior().cov(), new double[][] {{0, 0}, {0, 0}});
  }

  @Test
  void aDayNoFittedTraceIsActiveOnGetsAPriorThatPredictsItZero() {
    StickinessModel model = new StickinessModel(2, 2, RIDGE);
    // Day 2 is 0 in every fitted trace. a: day 1 values 1, 1 → x̄_a,1 = 1, S_a = 0; b: 0, 0, 1 → x̄_b,1 = 1/3,
    // deviations -1/3, -1/3, 2/3, S_b,11 = (6/9)/2 = 1/3; every day-2 entry is 0: V₀ = [[1/6, 0], [0, 0]],
    // ε = 1e-3 · (1/6)/2 = 1/12000.
    Fit fit = model.fit(List.of(trace("a", 1, 0), trace("a", 1, 0), trace("b", 0, 0), trace("b", 0, 0),
        trace("b", 1, 0)));
    assertThat(fit.noPriorReason(), nullValue());
    assertThat(fit.entities(), equalTo(2));
    assertThat(fit.traces(), equalTo(5));
    Prior prior = fit.prior();
    // μ = ((1 + 1/3)/2, 0) = (2/3, 0); x̄_e - μ = ±(1/3, 0): spread 2·(1/9)/1 = 2/9 on day 1, less the noise of the
    // means (1/2)(S_a/2 + S_b/3) = (1/2)(0 + 1/9) = 1/18: Σ₀ = [[2/9 - 1/18, 0], [0, 0]] = [[1/6, 0], [0, 0]],
    // already positive semi-definite (eigenvalues 1/6, 0), so Σ = Σ₀.
    assertVector(prior.mean(), 2.0 / 3, 0);
    assertMatrix(prior.cov(), new double[][] {{1.0 / 6, 0}, {0, 0}});
    assertMatrix(prior.noise(), new double[][] {{1.0 / 6 + 1.0 / 12000, 0}, {0, 1.0 / 12000}});

    // n = (2, 2): N = V/2, A = Σ + N = [[1/6 + 1/12 + 1/24000, 0], [0, 1/24000]] = [[6001/24000, 0], [0, 1/24000]]
    // (24000ths: 4000 + 2000 + 1). Σ[:, 2] = 0, so day 2's observation moves nothing and m_2 = μ_2 = 0;
    // m_1 = 2/3 + (1/6)(24000/6001)(ȳ_1 - 2/3) = 2/3 + (4000/6001)(ȳ_1 - 2/3);
    // C = [[(1/6)(1 - 4000/6001), 0], [0, 0]] = [[2001/36006, 0], [0, 0]] = [[667/12002, 0], [0, 0]].
    // ȳ = (1, 1): m_1 = 2/3 + (4000/6001)(1/3) = 2/3 + 4000/18003
    Posterior active = model.posterior(prior, Evidence.of(List.of(trace("x", 1, 1), trace("x", 1, 1)), 2));
    assertVector(active.mean(), 2.0 / 3 + 4000.0 / 18003, 0);
    assertMatrix(active.cov(), new double[][] {{667.0 / 12002, 0}, {0, 0}});
    // ȳ = (0, 1): m_1 = 2/3 - (4000/6001)(2/3) = 2/3 - 8000/18003
    Posterior inactive = model.posterior(prior, Evidence.of(List.of(trace("x", 0, 1), trace("x", 0, 1)), 2));
    assertVector(inactive.mean(), 2.0 / 3 - 8000.0 / 18003, 0);
    assertThat(inactive.stickiness(), closeTo(1 + 2.0 / 3 - 8000.0 / 18003, EPS));

    // A discovery with day 1 known: S = C + V has S_21 = 0, so day 2 is predicted a_2 = 0 with variance
    // S_22 = 0 + ε: 1 + x_1 + 0.
    DiscoveryPredictor predictor = model.discoveries(active.mean(), active.cov(), prior.noise());
    Prediction one = predictor.predict(trace("x", 1));
    assertThat(one.mean(), closeTo(2, EPS));
    assertThat(one.sd(), closeTo(Math.sqrt(1.0 / 12000), EPS));
    Prediction zero = predictor.predict(trace("x", 0));
    assertThat(zero.mean(), closeTo(1, EPS));
    assertThat(zero.sd(), closeTo(Math.sqrt(1.0 / 12000), EPS));
  }

  // ---- Σ: the spread of the means less their sampling noise, positive part -------------------------------------

  @Test
  void oneDaySigmaIsTheSpreadOfTheMeansLessTheirNoiseClippedAtZero() {
    StickinessModel model = new StickinessModel(1, 2, RIDGE);
    // Means that differ less than their noise predicts. a: 1, 0 → x̄_a = 1/2, S_a = 1/2; b: 1, 1, 0 → x̄_b = 2/3,
    // deviations 1/3, 1/3, -2/3, S_b = (6/9)/2 = 1/3. μ = 7/12, x̄_e - μ = ∓1/12: spread (2/144)/1 = 1/72;
    // noise of the means (1/2)(S_a/2 + S_b/3) = (1/2)(1/4 + 1/9) = 13/72; Σ₀ = 1/72 - 13/72 = -1/6: Σ = max(Σ₀, 0) = 0.
    Fit close = model.fit(List.of(trace("a", 1), trace("a", 0), trace("b", 1), trace("b", 1), trace("b", 0)));
    assertThat(close.noPriorReason(), nullValue());
    assertVector(close.prior().mean(), 7.0 / 12);
    assertMatrix(close.prior().cov(), new double[][] {{0}});
    // V₀ = (1/2 + 1/3)/2 = 5/12, ε = 1e-3 · 5/12 = 1/2400
    assertMatrix(close.prior().noise(), new double[][] {{5.0 / 12 + 1.0 / 2400}});
    // With Σ = 0 the entities do not differ: the posterior is the prior whatever is observed (4 discoveries, 3
    // active: m = μ + 0 · A⁻¹ · (3/4 - 7/12)), predicted 1 + 7/12 with sd 0.
    Evidence e = Evidence.of(List.of(trace("x", 1), trace("x", 1), trace("x", 1), trace("x", 0)), 1);
    Posterior same = model.posterior(close.prior(), e);
    assertThat(same.stickiness(), closeTo(19.0 / 12, EPS));
    assertThat(same.variance(), closeTo(0, EPS));

    // Means that differ more than their noise. a: 1, 1, 1, 0 → x̄_a = 3/4, deviations 1/4 (3×), -3/4: S_a =
    // (3/16 + 9/16)/3 = 1/4; b: 0, 0, 0, 1 → x̄_b = 1/4, S_b = 1/4. μ = 1/2, x̄_e - μ = ±1/4: spread (2/16)/1 = 1/8;
    // noise (1/2)(S_a/4 + S_b/4) = 1/16; Σ₀ = 1/8 - 1/16 = 1/16 ≥ 0: Σ = Σ₀ (half the plain spread of the means).
    Fit apart = model.fit(List.of(trace("a", 1), trace("a", 1), trace("a", 1), trace("a", 0), trace("b", 0),
        trace("b", 0), trace("b", 0), trace("b", 1)));
    assertVector(apart.prior().mean(), 0.5);
    assertMatrix(apart.prior().cov(), new double[][] {{1.0 / 16}});
    // V₀ = (1/4 + 1/4)/2 = 1/4, ε = 1/4000. The same evidence: A = 1/16 + (1/4 + 1/4000)/4 = 2001/16000 (16000ths:
    // 1000 + 1000 + 1); m = 1/2 + (1/16)(16000/2001)(3/4 - 1/2) = 1/2 + 250/2001;
    // C = 1/16 - (1/16)²(16000/2001) = 1/16 - 125/4002 = 1001/32016
    assertMatrix(apart.prior().noise(), new double[][] {{0.25 + 1.0 / 4000}});
    Posterior moved = model.posterior(apart.prior(), e);
    assertVector(moved.mean(), 0.5 + 250.0 / 2001);
    assertThat(moved.variance(), closeTo(1001.0 / 32016, EPS));
  }

  @Test
  void aNegativeEigenvalueOfSigmaZeroIsSetToZero() {
    // W = 2. a: (1,0), (0,1) → x̄_a = (1/2, 1/2), S_a = [[1/2, -1/2], [-1/2, 1/2]]; c: (0,0), (0,1) → x̄_c = (0, 1/2),
    // S_c = [[0, 0], [0, 1/2]]. μ = (1/4, 1/2), x̄_e - μ = ±(1/4, 0): spread 2·[[1/16, 0], [0, 0]]/1
    // = [[1/8, 0], [0, 0]]; noise of the means (1/2)(S_a/2 + S_c/2) = (1/4)[[1/2, -1/2], [-1/2, 1]]
    // = [[1/8, -1/8], [-1/8, 1/4]]:
    // Σ₀ = [[0, 1/8], [1/8, -1/4]], trace -1/4, det -1/64: λ² + λ/4 - 1/64 = 0, λ± = (-1 ± √2)/8, λ₋ < 0.
    // Eigenvector of λ₊: v = (√2 + 1, 1) (Σ₀v = (1/8, (√2 - 1)/8) = λ₊v), |v|² = 4 + 2√2 = 2√2(√2 + 1), so
    // Σ = λ₊ v vᵀ/|v|² = ((√2 - 1)/8) · [[(√2 + 1)², √2 + 1], [√2 + 1, 1]] / (2√2(√2 + 1))
    //   = ((√2 - 1)/(16√2)) · [[√2 + 1, 1], [1, √2 - 1]]:
    //   11: 1/(16√2) = √2/32; 12: (√2 - 1)/(16√2) = (2 - √2)/32; 22: (√2 - 1)²/(16√2) = (3√2 - 4)/32
    // (trace (4√2 - 4)/32 = λ₊; det 0: the clipped eigenvalue).
    Fit fit = new StickinessModel(2, 2, RIDGE).fit(List.of(trace("a", 1, 0), trace("a", 0, 1), trace("c", 0, 0),
        trace("c", 0, 1)));
    assertThat(fit.noPriorReason(), nullValue());
    assertVector(fit.prior().mean(), 0.25, 0.5);
    double r2 = Math.sqrt(2);
    assertMatrix(fit.prior().cov(), new double[][] {{r2 / 32, (2 - r2) / 32}, {(2 - r2) / 32, (3 * r2 - 4) / 32}});
  }

  @Test
  void aPositiveSemiDefiniteSigmaZeroIsKept() {
    // W = 2. a: (0,0), (0,0) → x̄_a = (0, 0), S_a = 0; b: (0,1), (1,1) → x̄_b = (1/2, 1), S_b = [[1/2, 0], [0, 0]];
    // c: (1,0), (1,1) → x̄_c = (1, 1/2), S_c = [[0, 0], [0, 1/2]]. μ = (1/2, 1/2); x̄_e - μ: a (-1/2, -1/2),
    // b (0, 1/2), c (1/2, 0); spread /(E-1) = /2: 11 (1/4 + 0 + 1/4)/2 = 1/4, 22 (1/4 + 1/4 + 0)/2 = 1/4,
    // 12 (1/4 + 0 + 0)/2 = 1/8; noise of the means (1/3)(0 + S_b/2 + S_c/2) = [[1/12, 0], [0, 1/12]]:
    // Σ₀ = [[1/6, 1/8], [1/8, 1/6]], eigenvalues 1/6 ± 1/8 = 7/24, 1/24, both > 0: Σ = Σ₀.
    Fit fit = new StickinessModel(2, 2, RIDGE).fit(List.of(trace("a", 0, 0), trace("a", 0, 0), trace("b", 0, 1),
        trace("b", 1, 1), trace("c", 1, 0), trace("c", 1, 1)));
    assertThat(fit.noPriorReason(), nullValue());
    assertThat(fit.entities(), equalTo(3));
    assertVector(fit.prior().mean(), 0.5, 0.5);
    assertMatrix(fit.prior().cov(), new double[][] {{1.0 / 6, 1.0 / 8}, {1.0 / 8, 1.0 / 6}});
    // V₀ = (S_a + S_b + S_c)/3 = [[1/6, 0], [0, 1/6]], ε = 1e-3 · 1/6 = 1/6000
    assertMatrix(fit.prior().noise(), new double[][] {{1.0 / 6 + 1.0 / 6000, 0}, {0, 1.0 / 6 + 1.0 / 6000}});
  }

  @Test
  void minDiscoverersBelowTwoIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StickinessModel(59, 1, RIDGE));
    assertThat(e.getMessage(), equalTo("minDiscoverers must be >= 2 (a sample covariance), got 1"));
    assertThat(new StickinessModel(59, 2, RIDGE), notNullValue());
  }

  // ---- posterior ----------------------------------------------------------------------------------------------

  /** W = 3: μ = (0.5, 0.4, 0.3), Σ = 0.01·[[4,2,1],[2,4,2],[1,2,4]], V = 0.02·[[6,3,0],[3,6,3],[0,3,6]]. */
  private static Prior prior3() {
    return new Prior(new double[] {0.5, 0.4, 0.3},
        new double[][] {{0.04, 0.02, 0.01}, {0.02, 0.04, 0.02}, {0.01, 0.02, 0.04}},
        new double[][] {{0.12, 0.06, 0}, {0.06, 0.12, 0.06}, {0, 0.06, 0.12}});
  }

  @Test
  void evidenceCountsFinalDaysAndTheirActivity() {
    // t1 final through day 3 (1, 0, 1); t2 through day 1 (1); t3 through day 0.
    Evidence e = Evidence.of(List.of(trace("x", 1, 0, 1), trace("x", 1), trace("x")), 3);
    assertThat(e.n(), equalTo(new int[] {2, 1, 1}));
    assertThat(e.active(), equalTo(new long[] {2, 0, 1}));
    assertThat(e.daysObserved(), equalTo(3));
    assertThat(e.traceDays(), equalTo(4L));

    Evidence twoDays = Evidence.of(List.of(trace("x", 1, 1), trace("x", 1), trace("x", 0)), 3);
    assertThat(twoDays.n(), equalTo(new int[] {3, 1, 0}));
    assertThat(twoDays.active(), equalTo(new long[] {2, 1, 0}));
    assertThat(twoDays.daysObserved(), equalTo(2));
    assertThat(twoDays.traceDays(), equalTo(4L));

    Evidence none = Evidence.of(List.of(trace("x")), 3);
    assertThat(none.n(), equalTo(new int[] {0, 0, 0}));
    assertThat(none.daysObserved(), equalTo(0));
    assertThat(none.traceDays(), equalTo(0L));

    // k counts leading days only: a day seen after a gap is not observed (and not used by the posterior).
    Evidence gap = new Evidence(new int[] {2, 0, 1}, new long[] {1, 0, 1});
    assertThat(gap.daysObserved(), equalTo(1));
    StickinessModel model = new StickinessModel(3, 2, RIDGE);
    Posterior withGap = model.posterior(prior3(), gap);
    Posterior withoutGap = model.posterior(prior3(), new Evidence(new int[] {2, 0, 0}, new long[] {1, 0, 0}));
    assertThat(withGap.daysObserved(), equalTo(1));
    assertVector(withGap.mean(), withoutGap.mean());
  }

  @Test
  void withNothingObservedThePosteriorIsThePrior() {
    Posterior p = new StickinessModel(3, 2, RIDGE).posterior(prior3(), Evidence.of(List.of(trace("x")), 3));
    assertThat(p.daysObserved(), equalTo(0));
    assertVector(p.mean(), 0.5, 0.4, 0.3);
    assertMatrix(p.cov(), prior3().cov());
    // 1 + 0.5 + 0.4 + 0.3; Σ_ij Σ_ij = 0.01·(7 + 8 + 7) = 0.22
    assertThat(p.stickiness(), closeTo(2.2, EPS));
    assertThat(p.variance(), closeTo(0.22, EPS));
    assertThat(p.sd(), closeTo(Math.sqrt(0.22), EPS));
  }

  @Test
  void theStickinessAloneIsThePosteriorsWithoutItsCovariance() {
    // Without observations: 1 + 0.5 + 0.4 + 0.3 and sqrt(0.22), as above.
    StickinessModel three = new StickinessModel(3, 2, RIDGE);
    Prediction none = three.stickiness(prior3(), Evidence.of(List.of(trace("x")), 3));
    assertThat(none.mean(), closeTo(2.2, EPS));
    assertThat(none.sd(), closeTo(Math.sqrt(0.22), EPS));
    // k = 1, 2, 3 on W = 3 and every k on a random 59-day prior: the mean is the same double, the sd agrees to
    // rounding (sᵀA⁻¹s against the sum of the posterior covariance).
    List<Evidence> evidence = List.of(
        Evidence.of(List.of(trace("x", 1), trace("x", 0), trace("x", 1)), 3),
        Evidence.of(List.of(trace("x", 1, 1), trace("x", 0, 1), trace("x", 1)), 3),
        Evidence.of(List.of(trace("x", 1, 0, 1), trace("x", 1, 1, 1), trace("x", 0, 0, 0)), 3));
    for (Evidence e : evidence) {
      assertSameStickiness(three, prior3(), e);
    }
    int w = 59;
    java.util.Random random = new java.util.Random(15);
    double[] mu = new double[w];
    double[][] root = new double[w][w];
    for (int i = 0; i < w; i++) {
      mu[i] = 0.2 + 0.5 * random.nextDouble();
      for (int j = 0; j < w; j++) {
        root[i][j] = 0.05 * random.nextGaussian();
      }
    }
    double[][] sigma = new double[w][w];
    double[][] noise = new double[w][w];
    for (int i = 0; i < w; i++) {
      for (int j = 0; j < w; j++) {
        for (int l = 0; l < w; l++) {
          sigma[i][j] += root[i][l] * root[j][l];
        }
        noise[i][j] = (i == j ? 0.2 : 0) + 0.5 * sigma[i][j];
      }
    }
    Prior prior = new Prior(mu, sigma, noise);
    StickinessModel model = new StickinessModel(w, 2, RIDGE);
    for (int k = 0; k <= w; k++) {
      int[] n = new int[w];
      long[] active = new long[w];
      for (int i = 0; i < k; i++) {
        n[i] = 1 + random.nextInt(20);
        active[i] = random.nextInt(n[i] + 1);
      }
      assertSameStickiness(model, prior, new Evidence(n, active));
    }
  }

  private static void assertSameStickiness(StickinessModel model, Prior prior, Evidence e) {
    Posterior p = model.posterior(prior, e);
    Prediction alone = model.stickiness(prior, e);
    assertThat(alone.mean(), equalTo(p.stickiness()));
    assertThat(alone.sd(), closeTo(p.sd(), 1e-12 * Math.max(1, p.sd())));
    assertThat(alone.sd() > 0, equalTo(true));
  }

  @Test
  void oneObservedDayIsAScalarUpdate() {
    // 4 discoveries with day 1 final, 3 of them active: n = (4, 0, 0), ȳ_1 = 3/4, k = 1.
    Evidence e = Evidence.of(List.of(trace("x", 1), trace("x", 1), trace("x", 0), trace("x", 1)), 3);
    Posterior p = new StickinessModel(3, 2, RIDGE).posterior(prior3(), e);
    assertThat(p.daysObserved(), equalTo(1));
    // A = Σ_11 + V_11/4 = 0.04 + 0.03 = 0.07; Σ[:,1]/A = (0.04, 0.02, 0.01)/0.07 = (4/7, 2/7, 1/7);
    // ȳ_1 - μ_1 = 1/4: m = μ + (1/7, 1/14, 1/28)
    assertVector(p.mean(), 0.5 + 1.0 / 7, 0.4 + 1.0 / 14, 0.3 + 1.0 / 28);
    // C = Σ - Σ[:,1]Σ[1,:]/A: products 0.0016, 0.0008, 0.0004, 0.0004, 0.0002, 0.0001 over 0.07
    assertMatrix(p.cov(), new double[][] {
        {0.04 - 0.0016 / 0.07, 0.02 - 0.0008 / 0.07, 0.01 - 0.0004 / 0.07},
        {0.02 - 0.0008 / 0.07, 0.04 - 0.0004 / 0.07, 0.02 - 0.0002 / 0.07},
        {0.01 - 0.0004 / 0.07, 0.02 - 0.0002 / 0.07, 0.04 - 0.0001 / 0.07}});
    // 1 + Σm = 2.2 + (4 + 2 + 1)/28 = 2.45; Σ C = 0.22 - (0.04 + 0.02 + 0.01)²/0.07 = 0.22 - 0.07 = 0.15
    assertThat(p.stickiness(), closeTo(2.45, EPS));
    assertThat(p.variance(), closeTo(0.15, EPS));
    assertThat(p.sd(), closeTo(Math.sqrt(0.15), EPS));
  }

  @Test
  void unequalCountsPerDayScaleTheNoiseByTheLargerCount() {
    // t1 final through day 2 (1, 1); t2, t3 through day 1 (1), (0): n = (3, 1, 0), ȳ = (2/3, 1), k = 2.
    Evidence e = Evidence.of(List.of(trace("x", 1, 1), trace("x", 1), trace("x", 0)), 3);
    Posterior p = new StickinessModel(3, 2, RIDGE).posterior(prior3(), e);
    assertThat(p.daysObserved(), equalTo(2));
    // N = [[V11/3, V12/max(3,1)], [V21/3, V22/1]] = [[0.04, 0.02], [0.02, 0.12]]
    // A = Σ[I,I] + N = [[0.08, 0.04], [0.04, 0.16]] = 0.04·[[2,1],[1,4]], det[[2,1],[1,4]] = 7,
    // A⁻¹ = (25/7)·[[4,-1],[-1,2]]; ȳ - μ[I] = (1/6, 3/5);
    // A⁻¹(ȳ - μ[I]) = (25/7)·(4/6 - 3/5, -1/6 + 6/5) = (25/7)·(1/15, 31/30) = (5/21, 155/42)
    // Σ[:,I]·that: day 1: 0.04·5/21 + 0.02·155/42 = (0.4 + 3.1)/42 = 1/12
    //               day 2: 0.02·5/21 + 0.04·155/42 = (0.2 + 6.2)/42 = 16/105
    //               day 3: 0.01·5/21 + 0.02·155/42 = (0.1 + 3.1)/42 = 8/105
    assertVector(p.mean(), 0.5 + 1.0 / 12, 0.4 + 16.0 / 105, 0.3 + 8.0 / 105);
    assertThat(p.stickiness(), closeTo(2.2 + 1.0 / 12 + 24.0 / 105, EPS));
    // C_12 = 0.02 - (25/7)·(4·0.04·0.02 - 0.04·0.04 - 0.02·0.02 + 2·0.02·0.04) = 0.02 - (25/7)·0.0028 = 0.01
    // C_33 = 0.04 - (25/7)·(4·0.01·0.01 - 2·0.01·0.02 + 2·0.02·0.02) = 0.04 - (25/7)·0.0008 = 0.26/7
    assertThat(p.cov()[0][1], closeTo(0.01, EPS));
    assertThat(p.cov()[1][0], closeTo(0.01, EPS));
    assertThat(p.cov()[2][2], closeTo(0.26 / 7, EPS));
    // Σ C = 1ᵀΣ1 - uᵀA⁻¹u with u = 1ᵀΣ[:,I] = (0.07, 0.08):
    //   (25/7)·(4·0.0049 - 2·0.0056 + 2·0.0064) = (25/7)·0.0212 = 0.53/7; 0.22 - 0.53/7 = 1.01/7
    // (Had the noise used min(n_i, n_j), N_12 = 0.06 and every value above would differ.)
    assertThat(p.variance(), closeTo(1.01 / 7, EPS));
    assertThat(p.sd(), closeTo(Math.sqrt(1.01 / 7), EPS));
  }

  @Test
  void everyDayObserved() {
    // W = 2: μ = (0.5, 0.4), Σ = 0.01·[[4,2],[2,4]], V = 0.02·[[6,3],[3,6]]; n = (2, 2), ȳ = (1, 1/2), k = W.
    Prior prior = new Prior(new double[] {0.5, 0.4}, new double[][] {{0.04, 0.02}, {0.02, 0.04}},
        new double[][] {{0.12, 0.06}, {0.06, 0.12}});
    Evidence e = Evidence.of(List.of(trace("x", 1, 1), trace("x", 1, 0)), 2);
    Posterior p = new StickinessModel(2, 2, RIDGE).posterior(prior, e);
    assertThat(p.daysObserved(), equalTo(2));
    // N = V/2 = 1.5·Σ, so A = 2.5·Σ and Σ A⁻¹ = 0.4·I: m = μ + 0.4·(ȳ - μ) = (0.5 + 0.2, 0.4 + 0.04),
    // C = Σ - 0.4·Σ = 0.6·Σ
    assertVector(p.mean(), 0.7, 0.44);
    assertMatrix(p.cov(), new double[][] {{0.024, 0.012}, {0.012, 0.024}});
    assertThat(p.stickiness(), closeTo(2.14, EPS));
    assertThat(p.variance(), closeTo(0.072, EPS));
    assertThat(p.sd(), closeTo(Math.sqrt(0.072), EPS));
  }

  // ---- per-discovery prediction -------------------------------------------------------------------------------

  @Test
  void discoveryPredictionsConditionOnTheirOwnFinalDays() {
    // W = 2, (a, B) = (μ, Σ) of everyDayObserved: S = B + V = 0.01·[[16,8],[8,16]].
    StickinessModel model = new StickinessModel(2, 2, RIDGE);
    DiscoveryPredictor predictor = model.discoveries(new double[] {0.5, 0.4},
        new double[][] {{0.04, 0.02}, {0.02, 0.04}}, new double[][] {{0.12, 0.06}, {0.06, 0.12}});

    // k = 0: 1 + Σa = 1.9, variance 1ᵀS1 = 0.01·48 = 0.48
    Prediction nothing = predictor.predict(trace("x"));
    assertThat(nothing.mean(), closeTo(1.9, EPS));
    assertThat(nothing.sd(), closeTo(Math.sqrt(0.48), EPS));

    // k = 1: m' = a_2 + (S_21/S_11)(x_1 - a_1) = 0.4 + 0.5·(x_1 - 0.5); C' = 0.16 - 0.08²/0.16 = 0.12.
    // x_1 = 1: 1 + 1 + 0.65 = 2.65; x_1 = 0: 1 + 0 + 0.15 = 1.15 (the known day counts in full, plus its pull).
    Prediction active = predictor.predict(trace("x", 1));
    assertThat(active.mean(), closeTo(2.65, EPS));
    assertThat(active.sd(), closeTo(Math.sqrt(0.12), EPS));
    Prediction inactive = predictor.predict(trace("x", 0));
    assertThat(inactive.mean(), closeTo(1.15, EPS));
    assertThat(inactive.sd(), closeTo(Math.sqrt(0.12), EPS));

    // k = W: nothing is unknown, the prediction is the count itself.
    assertThat(predictor.predict(trace("x", 1, 1)), equalTo(new Prediction(3, 0)));
    assertThat(predictor.predict(trace("x", 1, 0)), equalTo(new Prediction(2, 0)));
    assertThat(predictor.predict(trace("x", 0, 0)), equalTo(new Prediction(1, 0)));
  }

  @Test
  void twoKnownDaysOfThree() {
    // W = 3, (a, B) = (μ, Σ) of prior3(): S = Σ + V = 0.01·[[16,8,1],[8,16,8],[1,8,16]].
    Prior prior = prior3();
    DiscoveryPredictor predictor = new StickinessModel(3, 2, RIDGE).discoveries(prior.mean(), prior.cov(), prior.noise());
    // k = 2, I = {1,2}, J = {3}: S[I,I] = 0.08·[[2,1],[1,2]], S[I,I]⁻¹ = (1/0.24)·[[2,-1],[-1,2]],
    // u = S[I,J]1 = (0.01, 0.08), w = S[I,I]⁻¹u = (1/0.24)·(0.02 - 0.08, -0.01 + 0.16) = (-0.25, 0.625).
    // x[I] = (1, 0): 1 + 1 + 0 + a_3 + w·(x[I] - a[I]) = 2 + 0.3 - 0.25·0.5 + 0.625·(-0.4) = 1.925
    // C' = S_33 - uᵀw = 0.16 - (-0.0025 + 0.05) = 0.1125
    Prediction p = predictor.predict(trace("x", 1, 0));
    assertThat(p.mean(), closeTo(1.925, EPS));
    assertThat(p.sd(), closeTo(Math.sqrt(0.1125), EPS));
    // x[I] = (0, 1): 1 + 0 + 1 + 0.3 - 0.25·(-0.5) + 0.625·0.6 = 2.8
    assertThat(predictor.predict(trace("x", 0, 1)).mean(), closeTo(2.8, EPS));
  }

  // ---- folds, backtest, summary -------------------------------------------------------------------------------

  @Test
  void foldIsTheFirstEightBytesOfSha256ModuloFive() {
    // Expected from `printf %s ID | sha256sum | cut -c1-16` read with bc (ibase=16, % 5):
    // a CA978112CA1BBDCA → 0 (top bit set: a signed read would give another fold), b 3E23E8160039594A → 1,
    // c 2E7D2C03A9507AE2 → 0, e 3F79BB7B435B0532 → 2, m 62C66A7A5DD70C31 → 3, d 18AC3E7343F01689 → 4,
    // Björk BCA757A930E05956 → 3, 日本 CF2ABF0C5BE326CB → 1 (UTF-8 bytes).
    assertThat(StickinessModel.fold("a"), equalTo(0));
    assertThat(StickinessModel.fold("b"), equalTo(1));
    assertThat(StickinessModel.fold("c"), equalTo(0));
    assertThat(StickinessModel.fold("e"), equalTo(2));
    assertThat(StickinessModel.fold("m"), equalTo(3));
    assertThat(StickinessModel.fold("d"), equalTo(4));
    assertThat(StickinessModel.fold("Björk"), equalTo(3));
    assertThat(StickinessModel.fold("日本"), equalTo(1));
    int[] seen = new int[StickinessModel.FOLDS];
    for (int i = 0; i < 1000; i++) {
      int f = StickinessModel.fold("artist-" + i);
      assertThat(f >= 0 && f < StickinessModel.FOLDS, is(true));
      seen[f]++;
    }
    for (int f = 0; f < StickinessModel.FOLDS; f++) {
      assertThat("fold " + f + " of 1000 ids", seen[f] > 150, is(true));
    }
  }

  /**
   * W = 3, min_discoverers 2. Folds (see above): a, c → 0; b → 1; e → 2; m → 3; d → 4. Only a and c have traces
   * that differ within the entity; b, e and m repeat one trace each, so fold 0's prior (fitted on b, e, m) has V₀ = 0,
   * ε = 0: no prior, and a and c are left out. d has one discovery and qualifies nowhere. Neither a nor c ever varies
   * on day 3, so the other folds' V₀ is singular there: only the ridge gives them a prior.
   * Trace totals: a (2, 1, 0), c (2, 3), b (1, 1), e (2, 2, 2, 2), m (3, 3, 3); their means 1, 5/2, 1, 2, 3.
   */
  private static List<DiscoveryTrace> backtestTraces() {
    return List.of(trace("a", 1, 1, 0), trace("a", 1, 0, 0), trace("a", 0, 0, 0),
        trace("c", 0, 1, 1), trace("c", 1, 1, 1),
        trace("b", 0, 0, 1), trace("b", 0, 0, 1),
        trace("e", 1, 1, 0), trace("e", 1, 1, 0), trace("e", 1, 1, 0), trace("e", 1, 1, 0),
        trace("m", 1, 1, 1), trace("m", 1, 1, 1), trace("m", 1, 1, 1),
        trace("d", 1, 1, 1));
  }

  private static List<DiscoveryTrace> outsideFold(List<DiscoveryTrace> traces, int fold) {
    List<DiscoveryTrace> out = new ArrayList<>();
    for (DiscoveryTrace t : traces) {
      if (StickinessModel.fold(t.entityId()) != fold) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void backtestHoldsOutEachFoldAndPredictsItFromTheOthers() {
    StickinessModel model = new StickinessModel(3, 2, RIDGE);
    List<DiscoveryTrace> traces = backtestTraces();
    Fit foldZero = model.fit(outsideFold(traces, 0));
    assertThat(foldZero.noPriorReason(), equalTo(StickinessModel.NOT_POSITIVE_DEFINITE));
    assertThat(foldZero.entities(), equalTo(3));
    // Folds 1–3 each fit a, c and two of b, e, m (E = 4; S = 0 for the last two), so they share V:
    // S_a: day 1 values 1, 1, 0 and day 2 values 1, 0, 0: variances 1/3, 1/3, covariance (2/9 - 1/9 + 2/9)/2 = 1/6;
    // S_c: day 1 values 0, 1: variance 1/2, nothing else. V₀ = (S_a + S_c)/4 = [[5/24, 1/24, 0], [1/24, 1/12, 0],
    // [0, 0, 0]], ε = 1e-3 · (5/24 + 2/24)/3 = 7/72000, and V_33 = ε alone.
    double ridge = 7.0 / 72000;
    for (int f = 1; f <= 3; f++) {
      assertMatrix(model.fit(outsideFold(traces, f)).prior().noise(), new double[][] {
          {5.0 / 24 + ridge, 1.0 / 24, 0}, {1.0 / 24, 1.0 / 12 + ridge, 0}, {0, 0, ridge}});
    }
    List<HeldOut> heldOut = model.backtest(traces);
    // Fold 0 (a, c) has no prior, fold 4 only the unqualified d: b, e, m in fold order.
    assertThat(heldOut.stream().map(HeldOut::entityId).toList(), contains("b", "e", "m"));
    assertThat(heldOut.stream().map(HeldOut::fold).toList(), contains(1, 2, 3));
    assertThat(heldOut.stream().map(HeldOut::discoverers).toList(), contains(2, 4, 3));
    // realised = 1 + mean total: b 2, e 3, m 4
    double[] realised = {2, 3, 4};
    // 1ᵀV1 = 1ᵀV₀1 + 3ε = (5 + 2 + 2·1)/24 + 7/24000 = 9007/24000 (1ᵀV₀1 = (1ᵀS_a1 + 1ᵀS_c1)/4 = (1 + 1/2)/4, the
    // sample variances of a's and c's totals); divided by n: b /2, e /4, m /3
    double[] noise = {9007.0 / 48000, 9007.0 / 96000, 9007.0 / 72000};
    // 1 + Σμ = 1 + mean of the training entities' mean totals:
    // fold 1 (a, c, e, m): 1 + (1 + 5/2 + 2 + 3)/4 = 25/8; fold 2 (a, c, b, m): 1 + (1 + 5/2 + 1 + 3)/4 = 23/8;
    // fold 3 (a, c, b, e): 1 + (1 + 5/2 + 1 + 2)/4 = 21/8
    double[] priorMean = {25.0 / 8, 23.0 / 8, 21.0 / 8};
    // k = 0 variance 1ᵀΣ1. Before the positive part, 1ᵀΣ₀1 = the sample variance of the training entities' mean
    // totals less (1/E) Σ_e 1ᵀS_e1 / n_e (the ridge is on V, not Σ):
    // fold 1: deviations from 17/8 in 8ths -9, 3, -1, 7: (81 + 9 + 1 + 49)/64/3 = 35/48;
    // fold 2: from 15/8: -7, 5, -7, 9: (49 + 25 + 49 + 81)/64/3 = 17/16;
    // fold 3: from 13/8: -5, 7, -5, 3: (25 + 49 + 25 + 9)/64/3 = 9/16;
    // less, in every fold, (1/4)(1ᵀS_a1/3 + 1ᵀS_c1/2) = (1/4)(1/3 + 1/4) = 7/48 (b, e, m: S = 0):
    // 1ᵀΣ₀1 = 28/48 = 7/12, 51/48 - 7/48 = 11/12, 27/48 - 7/48 = 5/12.
    // But every fold's Σ₀ has a negative eigenvalue (S_a/3 + S_c/2 = [[13, 2, 0], [2, 4, 0], [0, 0, 0]]/36, so the
    // noise of the means is [[13, 2, 0], [2, 4, 0], [0, 0, 0]]/144): fold 1 (a, c, e, m) has day-1 means 2/3, 1/2, 1,
    // 1, deviations from 19/24 in 24ths -3, -7, 5, 5: spread (9 + 49 + 25 + 25)/576/3 = 9/144, Σ₀_11 = (9 - 13)/144
    // < 0. Folds 2 (a, c, b, m) and 3 (a, c, b, e) share days 1–2 (e and m are both (1, 1) there): day-1 means 2/3,
    // 1/2, 0, 1, deviations from 13/24 in 24ths 3, -1, -13, 11; day-2 means 1/3, 1, 0, 1, deviations from 7/12 in
    // 12ths -3, 5, -7, 5; spread 11: 300/1728 = 25/144, 22: 108/432 = 36/144, 12: (-9 - 5 + 91 + 55)/864 = 22/144;
    // Σ₀[1:2, 1:2] = [[12, 20], [20, 32]]/144, det (384 - 400)/144² < 0. So Σ = Σ₀ + (the clipped part, positive
    // semi-definite) and 1ᵀΣ1 > 1ᵀΣ₀1; its value (a 3 × 3 eigendecomposition) from the NumPy implementation.
    double[] sigmaZeroVariance = {7.0 / 12, 11.0 / 12, 5.0 / 12};
    double[] priorVariance = {0.6094169356427942, 0.9241295042004505, 0.46243078380618974};
    // scaled count at k = 1: 1 + 3·ȳ_1 with ȳ_1 = b 0, e 1, m 1; at k = W it is the realised mean
    double[] scaledAtOne = {1, 4, 4};
    // Posteriors at k = 1 and 3 from an independent NumPy implementation of steps 1–4, 7 and 11 (pred, var)
    double[][] numpyAtOne = {{3.2154939110320298, 0.6079912260901512}, {3.4537036955939575, 0.6822328961082976},
        {2.7938894411267423, 0.435829429047762}};
    double[][] numpyAtThree = {{3.1009590744648508, 0.03549645204597024}, {2.9809148200260287, 0.05271560256411973},
        {3.385724044213539, 0.048729401880091616}};
    for (int e = 0; e < heldOut.size(); e++) {
      HeldOut h = heldOut.get(e);
      assertThat(h.entityId(), h.realised(), closeTo(realised[e], EPS));
      assertThat(h.entityId(), h.noiseVariance(), closeTo(noise[e], EPS));
      assertThat(h.byDays().stream().map(HeldOutDays::days).toList(), contains(0, 1, 3));
      HeldOutDays none = h.byDays().get(0);
      assertThat(h.entityId(), none.predicted(), closeTo(priorMean[e], EPS));
      assertThat(h.entityId(), none.variance(), closeTo(priorVariance[e], 1e-9));
      assertThat(h.entityId(), none.variance() > sigmaZeroVariance[e] + 1e-3, is(true));
      assertThat(none.scaledCount(), notANumber());
      assertThat(h.byDays().get(1).scaledCount(), closeTo(scaledAtOne[e], EPS));
      assertThat(h.byDays().get(2).scaledCount(), closeTo(realised[e], EPS));
      assertThat(h.byDays().get(1).predicted(), closeTo(numpyAtOne[e][0], 1e-9));
      assertThat(h.byDays().get(1).variance(), closeTo(numpyAtOne[e][1], 1e-9));
      assertThat(h.byDays().get(2).predicted(), closeTo(numpyAtThree[e][0], 1e-9));
      assertThat(h.byDays().get(2).variance(), closeTo(numpyAtThree[e][1], 1e-9));

      // The prior is fit() on the other folds' traces, and the evidence is the first k days of all n traces.
      List<DiscoveryTrace> own = traces.stream().filter(t -> t.entityId().equals(h.entityId())).toList();
      Prior prior = model.fit(outsideFold(traces, h.fold())).prior();
      for (HeldOutDays d : h.byDays()) {
        assertThat(d.priorMean(), closeTo(prior.stickiness(), EPS));
        int[] n = new int[3];
        long[] active = new long[3];
        for (int j = 0; j < d.days(); j++) {
          n[j] = own.size();
          for (DiscoveryTrace t : own) {
            active[j] += t.active(j + 1) ? 1 : 0;
          }
        }
        Posterior p = model.posterior(prior, new Evidence(n, active));
        assertThat(h.entityId() + " k=" + d.days(), d.predicted(), closeTo(p.stickiness(), EPS));
        assertThat(h.entityId() + " k=" + d.days(), d.variance(), closeTo(p.variance(), EPS));
      }
    }
  }

  @Test
  void aFoldWhoseOtherFoldsHaveFewerThanTwoEntitiesIsLeftOut() {
    // W = 2. a, c (fold 0) and b (fold 1) qualify: fold 0's training set is b alone, so fold 0 has no prior and only
    // b is predicted, from the prior of a and c.
    StickinessModel model = new StickinessModel(2, 2, RIDGE);
    List<DiscoveryTrace> traces = List.of(trace("a", 1, 0), trace("a", 0, 1), trace("c", 0, 0), trace("c", 0, 1),
        trace("b", 1, 1), trace("b", 1, 0), trace("b", 0, 0));
    assertThat(model.fit(outsideFold(traces, 0)).noPriorReason(), equalTo(StickinessModel.TOO_FEW_ENTITIES));
    List<HeldOut> heldOut = model.backtest(traces);
    assertThat(heldOut.stream().map(HeldOut::entityId).toList(), contains("b"));
    HeldOut b = heldOut.get(0);
    assertThat(b.fold(), equalTo(1));
    assertThat(b.discoverers(), equalTo(3));
    // b's totals 2, 1, 0: realised 1 + 1 = 2
    assertThat(b.realised(), closeTo(2, EPS));
    // Prior of a, c (aNegativeEigenvalueOfSigmaZeroIsSetToZero): μ = (1/4, 1/2),
    // Σ = [[√2/32, (2 - √2)/32], [(2 - √2)/32, (3√2 - 4)/32]].
    // S_a = [[1/2, -1/2], [-1/2, 1/2]], S_c = [[0, 0], [0, 1/2]]: V₀ = [[1/4, -1/4], [-1/4, 1/2]],
    // ε = 1e-3 · (3/4)/2 = 3/8000. 1ᵀV1 = 1/4 - 1/2 + 1/2 + 2ε = 1003/4000, over n = 3: 1003/12000
    assertThat(b.noiseVariance(), closeTo(1003.0 / 12000, EPS));
    assertThat(b.byDays().stream().map(HeldOutDays::days).toList(), contains(0, 1));
    // k = 0: 1 + 1/4 + 1/2 = 7/4, variance 1ᵀΣ1 = (√2 + 2(2 - √2) + 3√2 - 4)/32 = 2√2/32 = √2/16
    double r2 = Math.sqrt(2);
    HeldOutDays none = b.byDays().get(0);
    assertThat(none.predicted(), closeTo(7.0 / 4, EPS));
    assertThat(none.variance(), closeTo(r2 / 16, EPS));
    assertThat(none.priorMean(), closeTo(7.0 / 4, EPS));
    assertThat(none.scaledCount(), notANumber());
    // k = 1: n_1 = 3, ȳ_1 = 2/3; A = Σ_11 + V_11/3 = √2/32 + 1/12 + 1/8000 = (3000√2 + 8012)/96000;
    // 1ᵀΣ[:,1] = Σ_11 + Σ_21 = (√2 + 2 - √2)/32 = 1/16, so pred = 7/4 + (1/16)(2/3 - 1/4)/A = 7/4 + (5/192)/A
    // = 7/4 + 2500/(3000√2 + 8012) = 7/4 + 625/(750√2 + 2003);
    // var = 1ᵀΣ1 - (1ᵀΣ[:,1])²/A = √2/16 - (1/256)/A = √2/16 - 375/(3000√2 + 8012)
    HeldOutDays one = b.byDays().get(1);
    assertThat(one.predicted(), closeTo(7.0 / 4 + 625 / (750 * r2 + 2003), EPS));
    assertThat(one.variance(), closeTo(r2 / 16 - 375 / (3000 * r2 + 8012), EPS));
    assertThat(one.priorMean(), closeTo(7.0 / 4, EPS));
    // 1 + (2/1)·(2/3)
    assertThat(one.scaledCount(), closeTo(7.0 / 3, EPS));
  }

  @Test
  void backtestWithoutAnyFoldPriorIsEmpty() {
    // Two qualifying entities in different folds: each fold's training set has one entity, so no fold has a prior.
    StickinessModel model = new StickinessModel(2, 2, RIDGE);
    List<HeldOut> heldOut =
        model.backtest(List.of(trace("a", 1, 0), trace("a", 0, 1), trace("b", 1, 1), trace("b", 0, 0)));
    assertThat(heldOut, empty());
    assertThat(StickinessModel.summarise(heldOut), empty());
  }

  @Test
  void summaryOfTheBacktest() {
    List<BacktestRow> rows = StickinessModel.summarise(new StickinessModel(3, 2, RIDGE).backtest(backtestTraces()));
    assertThat(rows.stream().map(BacktestRow::daysObserved).toList(), contains(0, 1, 3));
    // k = 0: |prior mean - realised|: b |25/8 - 2| = 9/8, e |23/8 - 3| = 1/8, m |21/8 - 4| = 11/8; mean 21/24 = 7/8
    // (the model's k = 0 prediction is the prior mean)
    BacktestRow none = rows.get(0);
    assertThat(none.entities(), equalTo(3));
    assertThat(none.mae(), closeTo(7.0 / 8, EPS));
    assertThat(none.maePriorMean(), closeTo(7.0 / 8, EPS));
    assertThat(none.maeScaledCount(), nullValue());
    // covered when error ≤ Z_90·sqrt(var + 1ᵀV1/n), var the NumPy 1ᵀΣ1 above: b 1.125 ≤ 1.645·sqrt(0.6094 +
    // 9007/48000) = 1.468, e 0.125 ≤ 1.645·sqrt(0.9241 + 9007/96000) = 1.660, m 1.375 > 1.645·sqrt(0.4624 +
    // 9007/72000) = 1.261: 2 of 3
    assertThat(none.coverage90(), closeTo(2.0 / 3, EPS));
    BacktestRow one = rows.get(1);
    assertThat(one.entities(), equalTo(3));
    assertThat(one.maePriorMean(), closeTo(7.0 / 8, EPS));
    // |1 - 2| + |4 - 3| + |4 - 4| = 2, over 3
    assertThat(one.maeScaledCount(), closeTo(2.0 / 3, EPS));
    // From the NumPy posteriors above: mean |pred - realised| = (1.2155 + 0.4537 + 1.2061)/3; all 3 covered
    // (b 1.215 ≤ 1.467, e 0.454 ≤ 1.449, m 1.206 ≤ 1.232)
    assertThat(one.mae(), closeTo(0.958436055166415, 1e-9));
    assertThat(one.coverage90(), closeTo(1, EPS));
    BacktestRow all = rows.get(2);
    assertThat(all.maeScaledCount(), closeTo(0, EPS));
    // (1.1010 + 0.0191 + 0.6143)/3; b 1.101 > 1.645·sqrt(0.0355 + 9007/48000) = 0.777 is not covered, e 0.019 ≤
    // 0.630 and m 0.614 ≤ 0.686 are: 2 of 3
    assertThat(all.mae(), closeTo(0.578106736741761, 1e-9));
    assertThat(all.coverage90(), closeTo(2.0 / 3, EPS));
  }

  @Test
  void coverageCountsThePosteriorAndTheSamplingNoise() {
    // x: realised 3, 1ᵀV1/n = 0.64. k = 0: predicted 4.5 with variance 0.36, so the bound is Z_90·sqrt(1) = 1.645
    //    and the error 1.5 is covered (not with the posterior variance alone, Z_90·0.6 = 0.987, nor with the noise
    //    alone, Z_90·0.8 = 1.316). k = 1: predicted 3.5, variance 0: 0.5 ≤ 1.316, covered.
    HeldOut x = new HeldOut("x", 0, 10, 3.0, 0.64, List.of(
        new HeldOutDays(0, 4.5, 0.36, 2.0, Double.NaN), new HeldOutDays(1, 3.5, 0.0, 2.0, 3.5)));
    // y: realised 2, 1ᵀV1/n = 0.25. k = 0: predicted 3.65, variance 0.75: 1.65 > 1.645, not covered.
    //    k = 1: predicted 2.9, variance 0: 0.9 > Z_90·0.5 = 0.822, not covered.
    HeldOut y = new HeldOut("y", 1, 4, 2.0, 0.25, List.of(
        new HeldOutDays(0, 3.65, 0.75, 2.5, Double.NaN), new HeldOutDays(1, 2.9, 0.0, 2.5, 1.0)));
    List<BacktestRow> rows = StickinessModel.summarise(List.of(x, y));
    assertThat(rows.size(), equalTo(2));
    BacktestRow none = rows.get(0);
    assertThat(none.daysObserved(), equalTo(0));
    assertThat(none.entities(), equalTo(2));
    assertThat(none.mae(), closeTo((1.5 + 1.65) / 2, EPS));
    assertThat(none.maePriorMean(), closeTo((1.0 + 0.5) / 2, EPS));
    assertThat(none.maeScaledCount(), nullValue());
    assertThat(none.coverage90(), equalTo(0.5));
    BacktestRow one = rows.get(1);
    assertThat(one.daysObserved(), equalTo(1));
    assertThat(one.mae(), closeTo((0.5 + 0.9) / 2, EPS));
    assertThat(one.maePriorMean(), closeTo((1.0 + 0.5) / 2, EPS));
    assertThat(one.maeScaledCount(), closeTo((0.5 + 1.0) / 2, EPS));
    assertThat(one.coverage90(), equalTo(0.5));
    assertThat(StickinessModel.Z_90, equalTo(1.6448536269514722));
    assertThat(StickinessModel.summarise(List.of()), empty());
    assertThat(StickinessModel.BACKTEST_DAYS, contains(0, 1, 3, 7, 14, 28));
  }
}
