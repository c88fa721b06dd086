package dev.encore.store;

import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Encore's addition to Beam's S3 options: path-style requests, for S3-compatible stores that need them. */
public interface S3StoreOptions extends S3Options {
  @Description("Address S3 buckets by path (http://endpoint/bucket/key) instead of by host name "
      + "(http://bucket.endpoint/key). Needed by S3-compatible stores reached by IP address or without wildcard DNS "
      + "(MinIO, Ceph, moto, a local endpoint); AWS itself needs neither. Applies to Beam's S3 file system and "
      + "to Encore's own S3 writes, through Encore's client factory (see --s3ClientFactoryClass).")
  @Default.Boolean(false)
  boolean getS3PathStyleAccess();

  void setS3PathStyleAccess(boolean value);
}
