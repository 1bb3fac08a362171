package dev.parity.reconciler.model;

/** What one side's capture is doing: the capture reports it, the state rules read it. */
public enum CapturePhase { STARTING, SNAPSHOTTING, STREAMING, STOPPED }
