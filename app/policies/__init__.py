"""惠企政策: the policy library, eligibility rules as data, the 政策计算器 and the staff preview."""
