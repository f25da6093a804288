package io.asyncruntime.sample.fanout;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The fan-out endpoint's protections, {@code sample.fanout.*}: a rate limit at the entry, a
 * bulkhead on concurrent requests, and the longest overall timeout a caller may ask for.
 */
@ConfigurationProperties("sample.fanout")
public class FanOutProperties {

    /** Requests let in per {@link #ratePeriod}; more are answered 429 Too Many Requests. */
    private int ratePermits = 200;

    /** The period {@link #ratePermits} are counted over. */
    private Duration ratePeriod = Duration.ofSeconds(1);

    /** Requests in flight at once (the bulkhead); one more is answered 503 Service Unavailable. */
    private int maxConcurrent = 64;

    /** The longest overall timeout a request may ask for. */
    private Duration maxTimeout = Duration.ofSeconds(10);

    public int getRatePermits() {
        return ratePermits;
    }

    public void setRatePermits(int ratePermits) {
        this.ratePermits = ratePermits;
    }

    public Duration getRatePeriod() {
        return ratePeriod;
    }

    public void setRatePeriod(Duration ratePeriod) {
        this.ratePeriod = ratePeriod;
    }

    public int getMaxConcurrent() {
        return maxConcurrent;
    }

    public void setMaxConcurrent(int maxConcurrent) {
        this.maxConcurrent = maxConcurrent;
    }

    public Duration getMaxTimeout() {
        return maxTimeout;
    }

    public void setMaxTimeout(Duration maxTimeout) {
        this.maxTimeout = maxTimeout;
    }

}
