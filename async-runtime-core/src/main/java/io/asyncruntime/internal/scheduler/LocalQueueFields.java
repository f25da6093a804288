package io.asyncruntime.internal.scheduler;

/*
 * Cache-line padding, JCTools style: HotSpot lays out a superclass's fields before its subclass's,
 * so a chain of classes fixes the order [pad | head | pad | tail | pad | final fields]. Thieves
 * CAS head while the owner stores tail on every push; on one cache line each would invalidate the
 * other's copy. 128 bytes, not 64: Intel's adjacent-line prefetcher pulls 64-byte lines in pairs
 * (and some ARM cores have 128-byte lines), so 64 bytes apart still interfere; the JDK's
 * @Contended pads by 128 for the same reason. The first and last pads keep neighbouring objects
 * in the heap off the two hot lines. Byte fields, so the layout code cannot fill a gap in one class
 * with a hot field from a subclass.
 */

abstract class LocalQueueHeadPadding {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

abstract class LocalQueueHead extends LocalQueueHeadPadding {
    /** Packed (steal, real); accessed only through {@code LocalQueue.HEAD}. */
    long head;
}

abstract class LocalQueueMidPadding extends LocalQueueHead {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
    // Eight more than the other pads: the layout puts up to 4 of these bytes into the alignment
    // hole in front of head (verified with JOL on JDK 17 and 25), which would leave head and tail
    // only 124 bytes apart.
    byte p128, p129, p130, p131, p132, p133, p134, p135;
}

abstract class LocalQueueTail extends LocalQueueMidPadding {
    /** Next index the owner writes; written only by the owner, through {@code LocalQueue.TAIL}. */
    int tail;
}

abstract class LocalQueueTailPadding extends LocalQueueTail {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}
