package io.asyncruntime.sample.fanout;

import java.time.Duration;

import io.asyncruntime.sync.Semaphore;
import io.asyncruntime.time.Time;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The fan-out endpoint's protections, {@code sample.fanout.*}: a rate limit at the entry, a
 * bulkhead on concurrent requests, and the longest overall timeout a caller may ask for.
 */
@ConfigurationProperties("sample.fanout")
public class FanOutProperties implements InitializingBean {

    /** Most requests let in per period: more than a servlet container serves in any period. */
    static final int MAX_RATE_PERMITS = 1_000_000;

    /** Requests let in per {@link #ratePeriod}; more are answered 429 Too Many Requests. */
    private int ratePermits = 200;

    /** The period {@link #ratePermits} are counted over. */
    private Duration ratePeriod = Duration.ofSeconds(1);

    /** Requests in flight at once (the bulkhead); one more is answered 503 Service Unavailable. */
    private int maxConcurrent = 64;

    /** The longest overall timeout a request may ask for. */
    private Duration maxTimeout = Duration.ofSeconds(10);

    /**
     * Checks the bound values, so that a setting no request could pass (a bulkhead of 0, a
     * timeout of 0) fails the start with Boot's "invalid property" report naming it, instead of
     * answering every request with an error.
     *
     * @throws InvalidConfigurationPropertyValueException naming the property and its allowed range
     */
    @Override
    public void afterPropertiesSet() {
        requireBetween("sample.fanout.rate-permits", ratePermits, 1, MAX_RATE_PERMITS);
        requireBetween("sample.fanout.max-concurrent", maxConcurrent, 1, Semaphore.MAX_PERMITS);
        requirePositive("sample.fanout.rate-period", ratePeriod);
        requirePositive("sample.fanout.max-timeout", maxTimeout);
    }

    private static void requireBetween(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidConfigurationPropertyValueException(name, value,
                    name + " must be between " + min + " and " + max);
        }
    }

    /** At least 1 ms (the timing wheel's resolution), at most {@link Time#MAX_DELAY}. */
    private static void requirePositive(String name, Duration value) {
        if (value == null || value.toMillis() < 1 || value.compareTo(Time.MAX_DELAY) > 0) {
            throw new InvalidConfigurationPropertyValueException(name, value,
                    name + " must be between 1ms and " + Time.MAX_DELAY);
        }
    }

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
