package dev.encore.ingest;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;

/**
 * One sealed arrival partition of the listening logs, {@code <logs>/dt=YYYY-MM-DD/}, and its Avro files.
 *
 * @param day the arrival day (UTC)
 * @param dir the partition directory
 * @param files the partition's Avro files, sorted by name
 */
public record InputPartition(LocalDate day, String dir, List<String> files) implements Serializable {}
