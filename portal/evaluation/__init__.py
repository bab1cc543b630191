"""Integrity evaluation (信用画像 / 政务诚信评价; 泰信用办〔2022〕12号 二(六), 沈政办发〔2018〕117号 一(五),
泗政秘〔2018〕145号 (三)): a versioned formula, a score and grade per agency per month with its parts, rankings
and the yearly 考核 sheet."""
